using System.Net;
using System.Text.Json;
using McpApi.Auth;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Limits;

namespace McpApi.Doors.Realtime;

/// <summary>
/// Who a WebSocket or TCP connection belongs to, when authentication is on. A WebSocket may bring its credential in the
/// upgrade request's headers; otherwise (browsers cannot set headers, TCP has none) the first message must be
/// <c>{"model":"auth","data":{"key":"..."}}</c>. Until then every other message is answered 401, and a connection that
/// has not authenticated within <c>Auth:FirstMessageSeconds</c> is closed (<see cref="TimedOut"/>). A refused credential
/// counts against the client's address in <see cref="AuthFailureLimiter"/> like a refused HTTP header, and a blocked
/// address gets 429 <c>rate_limited</c> without its credential being checked.
/// </summary>
public sealed class SessionAuthentication : IDisposable
{
    public const string Model = "auth";

    private readonly CredentialCheck _check;
    private readonly AuthFailureLimiter _failures;
    private readonly IPAddress? _address;
    private readonly string _door;
    private readonly CancellationTokenSource _timeout = new();

    /// <param name="door">ws or tcp, for the failure log.</param>
    public SessionAuthentication(
        CredentialCheck check, AuthFailureLimiter failures, AuthOptions options, CallerIdentity? identity, IPAddress? address, string door)
    {
        _check = check;
        _failures = failures;
        _address = address;
        _door = door;
        Identity = identity;
        if (identity is null)
            _timeout.CancelAfter(TimeSpan.FromSeconds(options.FirstMessageSeconds));
    }

    /// <summary>The connection's place among its door's open connections: counted for its caller once it authenticates.</summary>
    public Limits.ConnectionLimits.Lease? Place { get; init; }

    /// <summary>The connection's caller once authenticated.</summary>
    public CallerIdentity? Identity { get; private set; }

    /// <summary>Fires when no credential was accepted within <c>Auth:FirstMessageSeconds</c>.</summary>
    public CancellationToken TimedOut => _timeout.Token;

    /// <summary>The reply to a message sent before the connection authenticated: the auth message's answer, else 401.</summary>
    public async ValueTask<byte[]> HandleFirstAsync(ReadOnlyMemory<byte> message, string traceId, CancellationToken cancellationToken)
    {
        JsonElement? id = null;
        string? key = null;
        var isAuth = false;
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                id = EnvelopeParser.TryReadId(message);
                isAuth = root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String
                    && string.Equals(model.GetString(), Model, StringComparison.OrdinalIgnoreCase);
                if (isAuth && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                    && data.TryGetProperty("key", out var value) && value.ValueKind == JsonValueKind.String)
                    key = value.GetString();
            }
        }
        catch (JsonException)
        {
        }
        var caller = new CallContext("", traceId);
        if (isAuth && string.IsNullOrEmpty(key))
            return Reply(Dispatcher.Failure(RequestError.Invalid("data.key", "send the key or token: {\"model\":\"auth\",\"data\":{\"key\":\"...\"}}."), traceId).Response, id);
        if (!isAuth)
            return Reply(Dispatcher.Failure(Access.Unauthenticated(caller), traceId).Response, id);

        if (_failures.IsBlocked(_address, out var retryAfter))
            return Reply(Dispatcher.Failure(_failures.Blocked(_address, retryAfter), traceId).Response, id);
        var (identity, problem) = await _check.CheckAsync(key!, cancellationToken);
        if (identity is null)
        {
            _failures.RecordFailure(_address, _door, $"auth message refused: {problem}");
            return Reply(Dispatcher.Failure(Access.Unauthenticated(caller with { CredentialProblem = problem }), traceId).Response, id);
        }
        if (Place?.TryMoveTo(identity) is { } full)
            return Reply(Dispatcher.Failure(full, traceId).Response, id);
        Identity = identity;
        _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        return Reply(new EnvelopeResponse(EnvelopeResponse.Success, $"Authenticated as '{identity.Name}'.",
            new AuthenticatedData(identity.Name, identity.Scopes.Texts)), id);
    }

    /// <summary>403 unless the caller may read every topic's model and scope (<c>chat:lobby</c> needs e.g. <c>chat:read:lobby</c>).</summary>
    public static void CheckTopics(CallerIdentity identity, IEnumerable<string> topics)
    {
        foreach (var topic in topics)
        {
            var separator = topic.IndexOf(':');
            var (model, scope) = separator < 0 ? (topic, null) : (topic[..separator], topic[(separator + 1)..]);
            if (!identity.Scopes.Allows(model, "events", readOnly: true, scope))
            {
                throw new RequestError(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
                    $"'{identity.Name}' may not follow {topic}: it needs a scope that reads it, such as '{model}:read:{scope}' or '{model}:read'. Its scopes: {string.Join(", ", identity.Scopes.Texts)}.")
                {
                    Extra = new() { ["requiredScope"] = $"{model}:read" + (scope is null ? "" : ":" + scope), ["caller"] = identity.Name },
                };
            }
        }
    }

    /// <summary>The "subscribe to topics" check of a realtime door: nothing without authentication, else <see cref="CheckTopics"/>.</summary>
    public static string[] Topics(CallerIdentity? identity, string[] topics)
    {
        if (identity is not null)
            CheckTopics(identity, topics);
        return topics;
    }

    private static byte[] Reply(EnvelopeResponse response, JsonElement? id) => RealtimeJson.Serialize(SessionReply.From(response, id));

    public void Dispose() => _timeout.Dispose();

    public sealed record AuthenticatedData(string Name, IReadOnlyList<string> Scopes);
}
