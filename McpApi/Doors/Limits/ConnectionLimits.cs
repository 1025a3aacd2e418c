using System.Collections.Concurrent;
using System.Net;
using McpApi.Dispatching;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Limits;

/// <summary>A door whose open connections are counted.</summary>
public enum ConnectionDoor { Http, WebSocket, EventStream, Tcp }

/// <summary>
/// Counts open connections per door and per client on each door, against <see cref="ConnectionLimitOptions"/>. A client
/// is the authenticated caller when there is one (so a key's connections are capped wherever they come from, and callers
/// behind one proxy do not share a cap), else the IP address. A connection holds a <see cref="Lease"/> while open; past a
/// cap <see cref="TryOpen"/> says which setting refused it. A connection that authenticates after it opened (the
/// WebSocket and TCP <c>auth</c> message) moves its place from its address to its caller (<see cref="Lease.TryMoveTo"/>).
/// </summary>
public sealed partial class ConnectionLimits(IOptions<ConnectionLimitOptions> options, ILogger<ConnectionLimits> logger)
{
    public const string TooManyConnections = "too_many_connections";

    private readonly Lock _gate = new();
    private readonly int[] _open = new int[4];
    private readonly Dictionary<(ConnectionDoor, string), int> _perClient = [];
    private readonly ConcurrentDictionary<string, string> _healthOnly = new();
    private int _reserve;
    private long _lastWarning = long.MinValue;

    public ConnectionLimitOptions Settings => options.Value;

    /// <summary>
    /// A place on <paramref name="door"/> for a connection of <paramref name="identity"/> (when authenticated) or from
    /// <paramref name="address"/>, or null with the setting that refused it.
    /// </summary>
    public Lease? TryOpen(ConnectionDoor door, IPAddress? address, out string? limit, Auth.CallerIdentity? identity = null)
    {
        var client = ClientOf(address, identity);
        var settings = options.Value;
        lock (_gate)
        {
            var mine = _perClient.GetValueOrDefault((door, client));
            limit = _open[(int)door] >= MaxFor(door) ? SettingFor(door)
                : identity is null && mine >= settings.MaxPerClient ? nameof(ConnectionLimitOptions.MaxPerClient)
                : identity is not null && mine >= settings.MaxPerCaller ? nameof(ConnectionLimitOptions.MaxPerCaller)
                : null;
            if (limit is not null)
            {
                WarnRefused(door, client, limit);
                return null;
            }
            _open[(int)door]++;
            _perClient[(door, client)] = mine + 1;
            return new Lease(this, door, client);
        }
    }

    /// <summary>A place among the <see cref="ConnectionLimitOptions.HealthReserve"/> HTTP connections that serve only /health.</summary>
    public Lease? TryOpenHealthOnly(string connectionId, string refusedBy)
    {
        lock (_gate)
        {
            if (_reserve >= options.Value.HealthReserve)
                return null;
            _reserve++;
        }
        _healthOnly[connectionId] = refusedBy;
        return new Lease(this, null, connectionId);
    }

    /// <summary>True when the HTTP connection was let in only for /health; <paramref name="refusedBy"/> names the full cap.</summary>
    public bool IsHealthOnly(string? connectionId, out string? refusedBy)
    {
        refusedBy = null;
        // _reserve counts the entries (added after it rises, removed before it falls); _healthOnly.IsEmpty would take every
        // lock of the dictionary while it is empty, on every request.
        return connectionId is not null && Volatile.Read(ref _reserve) > 0 && _healthOnly.TryGetValue(connectionId, out refusedBy);
    }

    /// <summary>The error a refused connection or request gets: 503 for a full door, 429 for a client over its share.</summary>
    public RequestError Refusal(ConnectionDoor door, string limit, IPAddress? address, Auth.CallerIdentity? identity = null)
    {
        var settings = options.Value;
        var what = door switch
        {
            ConnectionDoor.Http => "HTTP connections",
            ConnectionDoor.WebSocket => "WebSockets",
            ConnectionDoor.EventStream => "event streams",
            _ => "TCP connections",
        };
        return limit == nameof(ConnectionLimitOptions.MaxPerCaller)
            ? new RequestError(StatusCodes.Status429TooManyRequests, TooManyConnections,
                $"Too many open {what} of '{identity?.Name}': at most {settings.MaxPerCaller} per caller (setting {ConnectionLimitOptions.Section}:{limit}). Close some, or reuse one.")
            : limit == nameof(ConnectionLimitOptions.MaxPerClient)
            ? new RequestError(StatusCodes.Status429TooManyRequests, TooManyConnections,
                $"Too many open {what} from {ClientOf(address)}: at most {settings.MaxPerClient} per client (setting {ConnectionLimitOptions.Section}:{limit}). Close some, or reuse one.")
            : new RequestError(StatusCodes.Status503ServiceUnavailable, TooManyConnections,
                $"The server holds its maximum of {MaxFor(door)} open {what} (setting {ConnectionLimitOptions.Section}:{limit}). Try again in a moment.");
    }

    private int MaxFor(ConnectionDoor door) => door switch
    {
        ConnectionDoor.Http => options.Value.MaxHttp,
        ConnectionDoor.WebSocket => options.Value.MaxWebSockets,
        ConnectionDoor.EventStream => options.Value.MaxEventStreams,
        _ => options.Value.MaxTcp,
    };

    private static string SettingFor(ConnectionDoor door) => door switch
    {
        ConnectionDoor.Http => nameof(ConnectionLimitOptions.MaxHttp),
        ConnectionDoor.WebSocket => nameof(ConnectionLimitOptions.MaxWebSockets),
        ConnectionDoor.EventStream => nameof(ConnectionLimitOptions.MaxEventStreams),
        _ => nameof(ConnectionLimitOptions.MaxTcp),
    };

    /// <summary>The IP address a connection is counted for (IPv4 as IPv4 even on a dual-stack socket; none: "local").</summary>
    public static string ClientOf(IPAddress? address) => address switch
    {
        null => "local",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        _ => address.ToString(),
    };

    /// <summary>The key a connection is counted under: <c>user:name</c> for an authenticated caller, else its <see cref="ClientOf(IPAddress?)"/>.</summary>
    private static string ClientOf(IPAddress? address, Auth.CallerIdentity? identity) =>
        identity is null ? ClientOf(address) : "user:" + identity.Name;

    /// <summary>Moves one open connection's place on <paramref name="door"/> from <paramref name="from"/> to <paramref name="to"/>, unless <paramref name="to"/> holds its share.</summary>
    private bool TryMove(ConnectionDoor door, string from, string to)
    {
        if (from == to)
            return true;
        lock (_gate)
        {
            var theirs = _perClient.GetValueOrDefault((door, to));
            if (theirs >= options.Value.MaxPerCaller)
                return false;
            _perClient[(door, to)] = theirs + 1;
            var mine = _perClient[(door, from)] - 1;
            if (mine == 0)
                _perClient.Remove((door, from));
            else
                _perClient[(door, from)] = mine;
            return true;
        }
    }

    /// <summary>One warning per 10 s at most: a flood of refusals must not become a flood of log lines.</summary>
    private void WarnRefused(ConnectionDoor door, string client, string limit)
    {
        var now = Environment.TickCount64;
        if (now - _lastWarning < 10_000)
            return;
        _lastWarning = now;
        LogRefused(logger, door, client, ConnectionLimitOptions.Section + ":" + limit);
    }

    private void Close(ConnectionDoor? door, string key)
    {
        if (door is null)
        {
            _healthOnly.TryRemove(key, out _);
            lock (_gate)
                _reserve--;
            return;
        }
        lock (_gate)
        {
            _open[(int)door.Value]--;
            var mine = _perClient[(door.Value, key)] - 1;
            if (mine == 0)
                _perClient.Remove((door.Value, key));
            else
                _perClient[(door.Value, key)] = mine;
        }
    }

    /// <summary>An open connection's place; disposing it (once, from any thread) frees the place.</summary>
    public sealed class Lease(ConnectionLimits limits, ConnectionDoor? door, string key) : IDisposable
    {
        private readonly Lock _moving = new();
        private int _closed;
        private string _key = key;

        /// <summary>
        /// Counts this connection for <paramref name="identity"/> from now on (it authenticated after opening), or
        /// returns the 429 a connection of that caller gets when the caller already holds its share (the place stays where it was).
        /// </summary>
        public RequestError? TryMoveTo(Auth.CallerIdentity identity)
        {
            if (door is not { } counted)
                return null;
            lock (_moving)
            {
                if (_closed != 0)
                    return null;
                var to = ClientOf(null, identity);
                if (!limits.TryMove(counted, _key, to))
                    return limits.Refusal(counted, nameof(ConnectionLimitOptions.MaxPerCaller), null, identity);
                _key = to;
                return null;
            }
        }

        public void Dispose()
        {
            lock (_moving)
            {
                if (Interlocked.Exchange(ref _closed, 1) == 0)
                    limits.Close(door, _key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusing {Door} connections from {Client}: {Setting} reached (further refusals within 10 s are not logged)")]
    private static partial void LogRefused(ILogger logger, ConnectionDoor door, string client, string setting);
}
