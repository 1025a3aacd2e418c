using Microsoft.Extensions.Options;

namespace McpApi.Doors.Realtime;

/// <summary>The <c>McpApi:Realtime</c> section: limits shared by the WebSocket, SSE and TCP doors.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "McpApi:Realtime";

    /// <summary>Events queued per connection before a slow reader is disconnected (default 256).</summary>
    public int SubscriberQueueCapacity { get; set; } = 256;

    /// <summary>Topics one connection may subscribe to (default 32).</summary>
    public int MaxTopicsPerConnection { get; set; } = 32;

    /// <summary>Largest WebSocket message or TCP line in bytes (default 64 KiB).</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Envelopes per second one WebSocket or TCP connection may send, on average (default 50).</summary>
    public int MessagesPerSecond { get; set; } = 50;

    /// <summary>Envelopes a connection may send in a burst above the average (default 100).</summary>
    public int MessageBurst { get; set; } = 100;

    /// <summary>
    /// Envelopes one WebSocket or TCP connection may have in flight at once (default 64): they run concurrently,
    /// so writes from one connection share commits, and the replies still leave in request order. Past it the
    /// connection is not read until a reply goes out. 1 answers one envelope at a time.
    /// </summary>
    public int MaxInFlightPerConnection { get; set; } = 64;

    /// <summary>Seconds between WebSocket pings and SSE keep-alive events (default 20).</summary>
    public int KeepAliveSeconds { get; set; } = 20;

    /// <summary>
    /// The largest <see cref="ReplayLimit"/>: a replay reads one page of a model's history, and chat's <c>history</c>
    /// returns at most 500 messages per page (its <c>limit</c> maximum), so a larger setting could not be honoured.
    /// </summary>
    public const int MaxReplayLimit = 500;

    /// <summary>Most events an SSE reconnect with <c>Last-Event-ID</c> replays per topic (default 100, at most <see cref="MaxReplayLimit"/>).</summary>
    public int ReplayLimit { get; set; } = 100;

    /// <summary>Seconds a client gets to take its close frame or final line before the connection is cut (default 5).</summary>
    public int DisconnectGraceSeconds { get; set; } = 5;

    public TimeSpan KeepAlive => TimeSpan.FromSeconds(KeepAliveSeconds);

    public TimeSpan DisconnectGrace => TimeSpan.FromSeconds(DisconnectGraceSeconds);
}

internal sealed class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RealtimeOptions o)
    {
        var failures = new List<string>();
        Check(o.SubscriberQueueCapacity, 1, 1_000_000, nameof(o.SubscriberQueueCapacity), "256");
        Check(o.MaxTopicsPerConnection, 1, 10_000, nameof(o.MaxTopicsPerConnection), "32");
        Check(o.MaxMessageBytes, 1024, 16 * 1024 * 1024, nameof(o.MaxMessageBytes), "65536");
        Check(o.MessagesPerSecond, 1, 1_000_000, nameof(o.MessagesPerSecond), "50");
        Check(o.MessageBurst, 1, 1_000_000, nameof(o.MessageBurst), "100");
        Check(o.MaxInFlightPerConnection, 1, 4096, nameof(o.MaxInFlightPerConnection), "64");
        Check(o.KeepAliveSeconds, 1, 3600, nameof(o.KeepAliveSeconds), "20");
        Check(o.ReplayLimit, 0, RealtimeOptions.MaxReplayLimit, nameof(o.ReplayLimit), "100");
        Check(o.DisconnectGraceSeconds, 1, 300, nameof(o.DisconnectGraceSeconds), "5");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(int value, int min, int max, string setting, string fallback)
        {
            if (value < min || value > max)
                failures.Add($"{RealtimeOptions.Section}:{setting} is {value}; set it between {min} and {max} (default {fallback}).");
        }
    }
}
