using Serilog.Events;

namespace McpApi.Logging;

/// <summary>
/// One request as the request log records it, handed straight to the default console sink (see
/// <see cref="DirectRequestLog"/>): what the request event's properties hold, without building a Serilog event.
/// The strings are the request's own; they are escaped when the line is written.
/// </summary>
internal sealed class RequestLine(
    DateTimeOffset timestamp, LogEventLevel level, string method, string? path, string? model, string? action, int statusCode, double elapsedMs)
{
    public DateTimeOffset Timestamp { get; } = timestamp;
    public LogEventLevel Level { get; } = level;
    public string Method { get; } = method;
    public string? Path { get; } = path;
    public string? Model { get; } = model;
    public string? Action { get; } = action;
    public int StatusCode { get; } = statusCode;
    public double ElapsedMs { get; } = elapsedMs;
}
