using System.Collections.Concurrent;
using System.Net;
using McpApi.Dispatching;
using McpApi.Doors.Limits;
using Microsoft.Extensions.Options;

namespace McpApi.Limits;

/// <summary>
/// Counts failed authentications per client IP address and blocks an address that fails
/// <see cref="RateLimitOptions.AuthFailuresPerWindow"/> times within <see cref="RateLimitOptions.AuthFailureWindowSeconds"/>
/// until that window ends. Every failure is logged at Warning with the client address, the door, the reason and, when
/// known, the identity claimed — never the credential itself.
/// </summary>
/// <remarks>
/// The HTTP pipeline records refused credentials itself (<see cref="AuthFailureGate"/>); a door that authenticates
/// outside an HTTP request (the WebSocket <c>auth</c> message, the TCP first line) calls <see cref="IsBlocked(IPAddress?, out TimeSpan)"/>
/// before checking a credential and <see cref="RecordFailure"/> when it is refused.
/// </remarks>
public sealed partial class AuthFailureLimiter(IOptions<RateLimitOptions> options, TimeProvider time, ILogger<AuthFailureLimiter> logger)
{
    /// <summary>Past this many tracked addresses, expired windows are swept on the next failure.</summary>
    private const int SweepAbove = 1024;

    private readonly ConcurrentDictionary<string, Window> _windows = new();

    /// <summary>
    /// How many windows <see cref="_windows"/> holds, counted here: a ConcurrentDictionary's <c>Count</c> takes every
    /// lock, and so does <c>IsEmpty</c> when it is empty — on every request with a credential, threads contended for them.
    /// </summary>
    private int _windowCount;

    private sealed class Window(long started)
    {
        public long Started = started;
        public int Failures;
    }

    /// <summary>
    /// Records one refused credential from <paramref name="address"/> and logs it. <paramref name="reason"/> says why
    /// (e.g. "unknown API key", "token expired") and must not contain the credential. Returns true when the address is
    /// now blocked.
    /// </summary>
    public bool RecordFailure(IPAddress? address, string door, string reason, string? identity = null)
    {
        var client = ConnectionLimits.ClientOf(address);
        var settings = options.Value;
        LogFailure(logger, client, door, identity ?? "(none)", reason);
        if (settings.AuthFailuresPerWindow == 0)
            return false;

        var now = time.GetTimestamp();
        if (Volatile.Read(ref _windowCount) > SweepAbove)
            Sweep(now);
        var window = WindowOf(client, now);
        int failures;
        lock (window)
        {
            if (Expired(window, now))
            {
                window.Started = now;
                window.Failures = 0;
            }
            failures = ++window.Failures;
        }
        if (failures != settings.AuthFailuresPerWindow)
            return failures > settings.AuthFailuresPerWindow;
        LogBlocked(logger, client, failures, settings.AuthFailureWindowSeconds);
        return true;
    }

    /// <summary>True while <paramref name="address"/> is blocked; <paramref name="retryAfter"/> says for how long still.</summary>
    public bool IsBlocked(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var limit = options.Value.AuthFailuresPerWindow;
        if (limit == 0 || Volatile.Read(ref _windowCount) == 0 || !_windows.TryGetValue(ConnectionLimits.ClientOf(address), out var window))
            return false;
        var now = time.GetTimestamp();
        lock (window)
        {
            if (Expired(window, now) || window.Failures < limit)
                return false;
            retryAfter = WindowLength - time.GetElapsedTime(window.Started, now);
            return true;
        }
    }

    public bool IsBlocked(IPAddress? address) => IsBlocked(address, out _);

    /// <summary>The 429 a blocked client gets, on any door.</summary>
    public RequestError Blocked(IPAddress? address, TimeSpan retryAfter)
    {
        var seconds = CallerRateLimiter.RetryAfterSeconds(retryAfter);
        var settings = options.Value;
        return CallerRateLimiter.Limited(seconds,
            $"Too many failed authentications from {ConnectionLimits.ClientOf(address)}: at most {settings.AuthFailuresPerWindow} per " +
            $"{settings.AuthFailureWindowSeconds} s (setting {RateLimitOptions.Section}:{nameof(RateLimitOptions.AuthFailuresPerWindow)}). " +
            $"Check the key or token, and try again in {seconds} s.");
    }

    private Window WindowOf(string client, long now)
    {
        while (true)
        {
            if (_windows.TryGetValue(client, out var window))
                return window;
            var created = new Window(now);
            if (_windows.TryAdd(client, created))
            {
                Interlocked.Increment(ref _windowCount);
                return created;
            }
        }
    }

    private TimeSpan WindowLength => TimeSpan.FromSeconds(options.Value.AuthFailureWindowSeconds);

    private bool Expired(Window window, long now) => time.GetElapsedTime(window.Started, now) >= WindowLength;

    private void Sweep(long now)
    {
        foreach (var (client, window) in _windows)
        {
            lock (window)
            {
                if (Expired(window, now) && _windows.TryRemove(new KeyValuePair<string, Window>(client, window)))
                    Interlocked.Decrement(ref _windowCount);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication failed from {Client} on door {Door}: {Reason} (identity {Identity})")]
    private static partial void LogFailure(ILogger logger, string client, string door, string identity, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blocking credentials from {Client}: {Failures} failed authentications within {WindowSeconds} s")]
    private static partial void LogBlocked(ILogger logger, string client, int failures, int windowSeconds);
}
