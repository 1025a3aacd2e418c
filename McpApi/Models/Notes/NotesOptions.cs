using Microsoft.Extensions.Options;

namespace McpApi.Models.Notes;

/// <summary>The <c>Notes</c> section of appsettings.json.</summary>
public sealed class NotesOptions
{
    public const string Section = "Notes";

    /// <summary>Longest note text in characters (default 2000).</summary>
    public int MaxLength { get; set; } = 2000;

    /// <summary>Most notes the <c>summary_prompt</c> action puts in its prompt: the newest ones (default 100).</summary>
    public int SummaryMaxNotes { get; set; } = 100;
}

internal sealed class NotesOptionsValidator : IValidateOptions<NotesOptions>
{
    public ValidateOptionsResult Validate(string? name, NotesOptions options)
    {
        var failures = new List<string>();
        if (options.MaxLength is < 1 or > 1_000_000)
            failures.Add($"Notes:MaxLength is {options.MaxLength}; set it between 1 and 1000000 characters (default 2000).");
        if (options.SummaryMaxNotes is < 1 or > 10_000)
            failures.Add($"Notes:SummaryMaxNotes is {options.SummaryMaxNotes}; set it between 1 and 10000 notes (default 100).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
