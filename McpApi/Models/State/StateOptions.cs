using Microsoft.Extensions.Options;

namespace McpApi.Models.State;

/// <summary>The <c>State</c> section of appsettings.json.</summary>
public sealed class StateOptions
{
    public const string Section = "State";

    /// <summary>Longest key in characters (default 256).</summary>
    public int MaxKeyLength { get; set; } = 256;

    /// <summary>Largest value in bytes of compact UTF-8 JSON (default 65536).</summary>
    public int MaxValueBytes { get; set; } = 64 * 1024;
}

internal sealed class StateOptionsValidator : IValidateOptions<StateOptions>
{
    public ValidateOptionsResult Validate(string? name, StateOptions options)
    {
        var failures = new List<string>();
        if (options.MaxKeyLength is < 1 or > 4096)
            failures.Add($"State:MaxKeyLength is {options.MaxKeyLength}; set it between 1 and 4096 characters (default 256).");
        if (options.MaxValueBytes is < 16 or > 16 * 1024 * 1024)
            failures.Add($"State:MaxValueBytes is {options.MaxValueBytes}; set it between 16 and 16777216 bytes (default 65536).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
