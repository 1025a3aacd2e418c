using Microsoft.Extensions.Options;

namespace McpApi.Models.Notes;

/// <summary>The <c>Notes</c> section of appsettings.json.</summary>
public sealed class NotesOptions
{
    public const string Section = "Notes";

    /// <summary>Longest note text in characters (default 2000).</summary>
    public int MaxLength { get; set; } = 2000;
}

internal sealed class NotesOptionsValidator : IValidateOptions<NotesOptions>
{
    public ValidateOptionsResult Validate(string? name, NotesOptions options) =>
        options.MaxLength is < 1 or > 1_000_000
            ? ValidateOptionsResult.Fail($"Notes:MaxLength is {options.MaxLength}; set it between 1 and 1000000 characters (default 2000).")
            : ValidateOptionsResult.Success;
}
