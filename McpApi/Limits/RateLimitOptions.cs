using Microsoft.Extensions.Options;

namespace McpApi.Limits;

/// <summary>
/// The <c>RateLimits</c> section: how many requests, and how many writes, one caller may make per second, and how many
/// failed authentications one client IP address may make before it is refused for a while. A caller is its
/// authenticated identity, or its client IP address when anonymous. Past a budget a request gets 429
/// <c>rate_limited</c> with the seconds to wait (<c>Retry-After</c> on HTTP, <c>data.retryAfterSeconds</c> everywhere).
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>
    /// Requests per second one caller may make on average (default 200; 0: no limit): HTTP requests (envelope, MCP,
    /// SSE and WebSocket connects) and WebSocket/TCP envelopes, all of a caller's connections together.
    /// </summary>
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Requests a caller may make at once above the average (default 400).</summary>
    public int RequestBurst { get; set; } = 400;

    /// <summary>
    /// Writes (actions not annotated read-only: <c>chat send</c>, <c>state set</c>, <c>move play</c>, ...) per second one
    /// caller may make on average, on every door (default 50; 0: no limit). Writes count as requests too.
    /// </summary>
    public int WritesPerSecond { get; set; } = 50;

    /// <summary>Writes a caller may make at once above the average (default 100).</summary>
    public int WriteBurst { get; set; } = 100;

    /// <summary>
    /// Callers on this machine (loopback addresses, stdio) are not limited (default true), so a laptop, its tests and
    /// benchmarks are never throttled. Set it to false behind a reverse proxy on the same machine: every client then
    /// arrives from loopback.
    /// </summary>
    public bool ExemptLoopback { get; set; } = true;

    /// <summary>
    /// Failed authentications (a wrong key, a bad token) one client IP address may make per
    /// <see cref="AuthFailureWindowSeconds"/> (default 10; 0: no limit). Past it, requests from that address that carry a
    /// credential get 429 until the window ends. Loopback addresses count too.
    /// </summary>
    public int AuthFailuresPerWindow { get; set; } = 10;

    /// <summary>The window of <see cref="AuthFailuresPerWindow"/>, in seconds (default 60).</summary>
    public int AuthFailureWindowSeconds { get; set; } = 60;
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions o)
    {
        var failures = new List<string>();
        Check(o.RequestsPerSecond, 0, 1_000_000, nameof(o.RequestsPerSecond), "200; 0 turns the limit off");
        Check(o.RequestBurst, 1, 10_000_000, nameof(o.RequestBurst), "400");
        Check(o.WritesPerSecond, 0, 1_000_000, nameof(o.WritesPerSecond), "50; 0 turns the limit off");
        Check(o.WriteBurst, 1, 10_000_000, nameof(o.WriteBurst), "100");
        Check(o.AuthFailuresPerWindow, 0, 1_000_000, nameof(o.AuthFailuresPerWindow), "10; 0 turns the limit off");
        Check(o.AuthFailureWindowSeconds, 1, 86_400, nameof(o.AuthFailureWindowSeconds), "60");
        if (o.RequestsPerSecond > 0 && o.RequestBurst < o.RequestsPerSecond)
            failures.Add($"{RateLimitOptions.Section}:{nameof(o.RequestBurst)} is {o.RequestBurst}, below {nameof(o.RequestsPerSecond)} ({o.RequestsPerSecond}); set it at least as high (default 400).");
        if (o.WritesPerSecond > 0 && o.WriteBurst < o.WritesPerSecond)
            failures.Add($"{RateLimitOptions.Section}:{nameof(o.WriteBurst)} is {o.WriteBurst}, below {nameof(o.WritesPerSecond)} ({o.WritesPerSecond}); set it at least as high (default 100).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(int value, int min, int max, string setting, string fallback)
        {
            if (value < min || value > max)
                failures.Add($"{RateLimitOptions.Section}:{setting} is {value}; set it between {min} and {max} (default {fallback}).");
        }
    }
}
