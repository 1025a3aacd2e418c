using Microsoft.Extensions.Options;

namespace McpApi.Models.Chat;

/// <summary>The <c>Chat</c> section of appsettings.json.</summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";

    /// <summary>Longest message text in characters (default 4000).</summary>
    public int MaxTextLength { get; set; } = 4000;

    /// <summary>The room of a sender who names none (default <c>lobby</c>).</summary>
    public string DefaultRoom { get; set; } = "lobby";
}

internal sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions options)
    {
        var failures = new List<string>();
        if (options.MaxTextLength is < 1 or > 1_000_000)
            failures.Add($"Chat:MaxTextLength is {options.MaxTextLength}; set it between 1 and 1000000 characters (default 4000).");
        if (!ModelInput.IsName(options.DefaultRoom))
            failures.Add($"Chat:DefaultRoom is '{options.DefaultRoom}'; use {ModelInput.NameRule} (default lobby).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
