using Microsoft.Extensions.Options;

namespace McpApi.Events.Backplane;

/// <summary>
/// <c>Events:Backplane</c>: how events reach the other replicas. <c>InProcess</c> (the default: one server),
/// <c>PostgreSql</c> (LISTEN/NOTIFY on <c>ConnectionStrings:McpApi</c>, no extra server when storage is PostgreSQL) or
/// <c>Redis</c> (pub/sub on <c>ConnectionStrings:Redis</c>, e.g. <c>127.0.0.1:6379</c>).
/// </summary>
public sealed class EventBackplaneOptions
{
    public const string Section = "Events";
    public const string InProcess = "InProcess";
    public const string PostgreSql = "PostgreSql";
    public const string Redis = "Redis";

    public string Backplane { get; set; } = InProcess;

    /// <summary>The NOTIFY channel or Redis channel every replica of one deployment shares.</summary>
    public string Channel { get; set; } = "mcpapi_events";

    /// <summary>Events waiting to be sent while the backplane is slow or down; beyond this the oldest unsent are dropped (and logged).</summary>
    public int SendQueueCapacity { get; set; } = 10_000;

    /// <summary>Set from <c>ConnectionStrings:McpApi</c> or <c>ConnectionStrings:Redis</c>.</summary>
    public string ConnectionString { get; set; } = "";

    public bool Is(string name) => string.Equals(Backplane, name, StringComparison.OrdinalIgnoreCase);
}

internal sealed class EventBackplaneOptionsValidator : IValidateOptions<EventBackplaneOptions>
{
    public ValidateOptionsResult Validate(string? name, EventBackplaneOptions options)
    {
        var failures = new List<string>();
        if (!options.Is(EventBackplaneOptions.InProcess) && !options.Is(EventBackplaneOptions.PostgreSql) && !options.Is(EventBackplaneOptions.Redis))
            failures.Add($"Events:Backplane is '{options.Backplane}'; set it to InProcess (the default, one server), PostgreSql (LISTEN/NOTIFY on ConnectionStrings:McpApi) or Redis (ConnectionStrings:Redis).");
        else if (options.Is(EventBackplaneOptions.Redis) && string.IsNullOrWhiteSpace(options.ConnectionString))
            failures.Add("Events:Backplane is Redis but ConnectionStrings:Redis is empty; set it, e.g. \"127.0.0.1:6379\".");
        else if (options.Is(EventBackplaneOptions.PostgreSql) && (string.IsNullOrWhiteSpace(options.ConnectionString) || options.ConnectionString.Contains("Data Source=", StringComparison.OrdinalIgnoreCase)))
            failures.Add("Events:Backplane is PostgreSql but ConnectionStrings:McpApi is not a PostgreSQL connection string; set it, e.g. \"Host=127.0.0.1;Database=mcpapi;Username=mcpapi\".");
        if (string.IsNullOrWhiteSpace(options.Channel) || options.Channel.Length > 63 || !options.Channel.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            failures.Add($"Events:Channel is '{options.Channel}'; use 1 to 63 letters, digits or '_' (default mcpapi_events).");
        if (options.SendQueueCapacity is < 1 or > 10_000_000)
            failures.Add($"Events:SendQueueCapacity is {options.SendQueueCapacity}; set it between 1 and 10000000 (default 10000).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
