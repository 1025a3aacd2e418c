using System.IO.Pipelines;
using McpApi.Dispatching;
using McpApi.Doors.Limits;
using McpApi.Events;

namespace McpApi.Doors.Tcp;

/// <summary>
/// How long the TCP door waits for a client: the first complete line within <see cref="ConnectionLimitOptions.TcpFirstLineSeconds"/>
/// of connecting, every line within <see cref="ConnectionLimitOptions.TcpLineSeconds"/> of its first byte (a client
/// trickling bytes, slowloris, is cut), and, while it follows no topic, a line at least every
/// <see cref="ConnectionLimitOptions.TcpIdleSeconds"/>. A subscriber waiting quietly for events is never idle.
/// When a deadline passes, the pending read is cancelled and <see cref="Expired"/> says which one.
/// </summary>
internal sealed class TcpReadDeadline : IDisposable
{
    private readonly ConnectionLimitOptions _settings;
    private readonly IEventSubscription _subscription;
    private readonly CancellationTokenSource _timer = new();
    private readonly CancellationTokenRegistration _cancelRead;
    private long _lineStartedAt;
    private long _lastLineAt;
    private bool _anyLine;

    public TcpReadDeadline(ConnectionLimitOptions settings, IEventSubscription subscription, PipeReader input)
    {
        _settings = settings;
        _subscription = subscription;
        _lastLineAt = _lineStartedAt = Environment.TickCount64;
        _cancelRead = _timer.Token.Register(input.CancelPendingRead);
    }

    /// <summary>The setting whose deadline passed, or null.</summary>
    public string? Expired { get; private set; }

    /// <summary>Before each read: <paramref name="pendingBytes"/> of an unfinished line are buffered; <paramref name="linesTaken"/> lines ended since the last read.</summary>
    public void Arm(long pendingBytes, int linesTaken)
    {
        var now = Environment.TickCount64;
        if (linesTaken > 0)
        {
            _anyLine = true;
            _lastLineAt = now;
            _lineStartedAt = now; // the rest of what arrived with the last line starts the next one
        }
        else if (pendingBytes == 0)
            _lineStartedAt = now;

        var (deadline, setting) = (long.MaxValue, (string?)null);
        if (!_anyLine)
            (deadline, setting) = (_lastLineAt + _settings.TcpFirstLineSeconds * 1000L, nameof(ConnectionLimitOptions.TcpFirstLineSeconds));
        if (pendingBytes > 0 && _lineStartedAt + _settings.TcpLineSeconds * 1000L < deadline)
            (deadline, setting) = (_lineStartedAt + _settings.TcpLineSeconds * 1000L, nameof(ConnectionLimitOptions.TcpLineSeconds));
        if (_anyLine && pendingBytes == 0 && _subscription.Topics.Count == 0)
            (deadline, setting) = (_lastLineAt + _settings.TcpIdleSeconds * 1000L, nameof(ConnectionLimitOptions.TcpIdleSeconds));
        _setting = setting;
        SetTimer(deadline == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(1, deadline - now)));
    }

    /// <summary>After a read returned data: no deadline runs while the line is answered.</summary>
    public void Disarm() => SetTimer(Timeout.InfiniteTimeSpan);

    private void SetTimer(TimeSpan due)
    {
        try
        {
            _timer.CancelAfter(due);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private string? _setting;

    /// <summary>True (and <see cref="Expired"/> set) when the read was cancelled because a deadline passed.</summary>
    public bool HasExpired()
    {
        if (!_timer.IsCancellationRequested)
            return false;
        Expired = _setting;
        return true;
    }

    /// <summary>The final line: which wait ran out and the setting that sets it.</summary>
    public RequestError Notice() => Expired switch
    {
        nameof(ConnectionLimitOptions.TcpIdleSeconds) => new RequestError(StatusCodes.Status408RequestTimeout, TcpTimeoutCodes.IdleTimeout,
            $"Closed: nothing was sent for {_settings.TcpIdleSeconds} s and the connection follows no topic (setting {ConnectionLimitOptions.Section}:TcpIdleSeconds). Send an empty line to keep a connection open, or subscribe."),
        nameof(ConnectionLimitOptions.TcpLineSeconds) => new RequestError(StatusCodes.Status408RequestTimeout, TcpTimeoutCodes.LineTimeout,
            $"Closed: a line did not end within {_settings.TcpLineSeconds} s of its first byte (setting {ConnectionLimitOptions.Section}:TcpLineSeconds). Send each envelope as one whole line ending in \\n."),
        _ => new RequestError(StatusCodes.Status408RequestTimeout, TcpTimeoutCodes.LineTimeout,
            $"Closed: no complete line arrived within {_settings.TcpFirstLineSeconds} s of connecting (setting {ConnectionLimitOptions.Section}:TcpFirstLineSeconds). Send each envelope as one whole line ending in \\n."),
    };

    public void Dispose()
    {
        _cancelRead.Dispose();
        _timer.Dispose();
    }
}

/// <summary>The <c>data.code</c> of the TCP door's final line when a wait runs out.</summary>
public static class TcpTimeoutCodes
{
    public const string IdleTimeout = "idle_timeout";
    public const string LineTimeout = "line_timeout";
}
