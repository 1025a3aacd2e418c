using System.Text.Json.Serialization;

namespace McpApi.Envelopes;

/// <summary>The one response shape of every door: <c>{ status, message, data }</c>.</summary>
/// <param name="Status"><c>success</c> or <c>error</c> (and <c>event</c> for pushed events).</param>
/// <param name="Message">What happened, in words; for errors, what was wrong and how to fix it.</param>
/// <param name="Data">The result, or <see cref="ErrorDetails"/> for errors.</param>
public sealed record EnvelopeResponse(string Status, string Message, object? Data)
{
    public const string Success = "success";
    public const string Error = "error";
}

/// <summary>The <c>data</c> of an error envelope.</summary>
public sealed class ErrorDetails
{
    /// <summary>Stable snake_case error code.</summary>
    public required string Code { get; init; }

    /// <summary>Field errors: field path → messages.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>Further facts that help fix the request (known models, current version, ...).</summary>
    [JsonExtensionData]
    public Dictionary<string, object?>? Extra { get; set; }

    /// <summary>Quote it when reporting a failure: the server's logs carry the same id.</summary>
    public required string TraceId { get; init; }
}
