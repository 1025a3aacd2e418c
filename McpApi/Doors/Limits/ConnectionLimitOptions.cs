using Microsoft.Extensions.Options;

namespace McpApi.Doors.Limits;

/// <summary>
/// The <c>McpApi:Connections</c> section: how many connections each door holds at once, in total and per client IP
/// address, and how long the TCP door waits for a client's lines. Past a cap a connection is refused with a message
/// naming the setting; <c>/health</c> keeps answering through <see cref="HealthReserve"/>.
/// </summary>
public sealed class ConnectionLimitOptions
{
    public const string Section = "McpApi:Connections";

    /// <summary>Open HTTP connections, all HTTP addresses together, including those carrying WebSocket, SSE and MCP streams (default 1000).</summary>
    public int MaxHttp { get; set; } = 1000;

    /// <summary>Open WebSockets on <c>/mcp/ws</c> (default 500).</summary>
    public int MaxWebSockets { get; set; } = 500;

    /// <summary>Open server-sent event streams on <c>/mcp/events</c> (default 500).</summary>
    public int MaxEventStreams { get; set; } = 500;

    /// <summary>Open TCP door connections (default 500).</summary>
    public int MaxTcp { get; set; } = 500;

    /// <summary>Open connections of one client IP address on each door (HTTP, WebSocket, SSE, TCP), default 100.
    /// Behind a reverse proxy every client has the proxy's address: raise it there.</summary>
    public int MaxPerClient { get; set; } = 100;

    /// <summary>
    /// With authentication on, open WebSockets, event streams and TCP connections of one authenticated caller on each of
    /// those doors, wherever they come from (default 100). They count for their caller instead of their address, so
    /// callers behind one proxy do not share <see cref="MaxPerClient"/>; HTTP connections themselves are counted per
    /// address, before any credential is read.
    /// </summary>
    public int MaxPerCaller { get; set; } = 100;

    /// <summary>
    /// HTTP connections accepted past <see cref="MaxHttp"/> or <see cref="MaxPerClient"/> that serve only <c>/health</c>
    /// (one request each, within 5 seconds; anything else gets 503), so monitoring still gets an answer when the server is full (default 8).
    /// </summary>
    public int HealthReserve { get; set; } = 8;

    /// <summary>Seconds a TCP client has, after connecting, to send its first complete line (default 60).</summary>
    public int TcpFirstLineSeconds { get; set; } = 60;

    /// <summary>Seconds a TCP line may take from its first byte to its newline (default 30): a client trickling bytes is cut.</summary>
    public int TcpLineSeconds { get; set; } = 30;

    /// <summary>Seconds a TCP connection that follows no topic may stay silent before it is closed (default 600).</summary>
    public int TcpIdleSeconds { get; set; } = 600;
}

internal sealed class ConnectionLimitOptionsValidator : IValidateOptions<ConnectionLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionLimitOptions o)
    {
        var failures = new List<string>();
        Check(o.MaxHttp, 1, 1_000_000, nameof(o.MaxHttp), "1000");
        Check(o.MaxWebSockets, 1, 1_000_000, nameof(o.MaxWebSockets), "500");
        Check(o.MaxEventStreams, 1, 1_000_000, nameof(o.MaxEventStreams), "500");
        Check(o.MaxTcp, 1, 1_000_000, nameof(o.MaxTcp), "500");
        Check(o.MaxPerClient, 1, 1_000_000, nameof(o.MaxPerClient), "100");
        Check(o.MaxPerCaller, 1, 1_000_000, nameof(o.MaxPerCaller), "100");
        Check(o.HealthReserve, 0, 1000, nameof(o.HealthReserve), "8");
        Check(o.TcpFirstLineSeconds, 1, 86_400, nameof(o.TcpFirstLineSeconds), "60");
        Check(o.TcpLineSeconds, 1, 86_400, nameof(o.TcpLineSeconds), "30");
        Check(o.TcpIdleSeconds, 1, 86_400, nameof(o.TcpIdleSeconds), "600");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(int value, int min, int max, string setting, string fallback)
        {
            if (value < min || value > max)
                failures.Add($"{ConnectionLimitOptions.Section}:{setting} is {value}; set it between {min} and {max} (default {fallback}).");
        }
    }
}
