using Serilog.Events;

namespace McpApi.Logging;

/// <summary>
/// One request as the request log records it, handed straight to the default console sink (see
/// <see cref="DirectRequestLog"/>): what the request event's properties hold, without building a Serilog event.
/// The strings are the request's own; they are escaped when the line is written.
/// </summary>
internal sealed class RequestLine(
    DateTimeOffset timestamp, LogEventLevel level, string method, string? path, string? model, string? action, int statusCode, long elapsedMicroseconds)
{
    public DateTimeOffset Timestamp { get; } = timestamp;
    public LogEventLevel Level { get; } = level;
    public string Method { get; } = method;
    public string? Path { get; } = path;
    public string? Model { get; } = model;
    public string? Action { get; } = action;
    public int StatusCode { get; } = statusCode;
    /// <summary>Whole microseconds: the request event's <c>Elapsed</c> is this in milliseconds (<see cref="RequestLine.Milliseconds"/>).</summary>
    public long ElapsedMicroseconds { get; } = elapsedMicroseconds;

    /// <summary>
    /// Whole microseconds as the milliseconds the request event carries. The double nearest to a whole number of
    /// microseconds renders with three decimals (<c>F3</c>) as exactly those digits, so a line can write them as integers.
    /// </summary>
    public static double Milliseconds(long microseconds) => microseconds / 1000.0;
}
