using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Ends the POST stream of a request its client cancelled (<c>notifications/cancelled</c>). The SDK 2.4 stops the handler
/// and, as the protocol asks, sends no answer, but keeps that POST's SSE stream open until the client gives up. McpApi
/// gives each session request's POST its own request token and cancels it after the SDK has handled the cancellation,
/// so the SDK's POST handler returns and the response ends.
/// </summary>
internal sealed class McpCancelledRequests
{
    private readonly ConcurrentDictionary<(string Session, string Id), CancellationTokenSource> _running = new();

    /// <summary>Tracks a session's request while its POST runs: <c>http.RequestAborted</c> also fires when it is cancelled.</summary>
    public IDisposable Track(HttpContext http, string session, string id)
    {
        var cancelled = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        http.RequestAborted = cancelled.Token;
        var key = (session, id);
        _running[key] = cancelled;
        return new Tracked(() =>
        {
            _running.TryRemove(new KeyValuePair<(string, string), CancellationTokenSource>(key, cancelled));
            cancelled.Dispose();
        });
    }

    /// <summary>After the SDK has handled a <c>notifications/cancelled</c>, ends the cancelled request's POST.</summary>
    public McpMessageFilter Filter => next => async (context, cancellationToken) =>
    {
        await next(context, cancellationToken);
        if (context.JsonRpcMessage is JsonRpcNotification { Method: NotificationMethods.CancelledNotification } notification
            && context.Server.SessionId is { } session
            && notification.Params?["requestId"] is JsonValue id && KeyOf(id) is { } requestId
            && _running.TryRemove((session, requestId), out var cancelled))
        {
            try
            {
                cancelled.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The POST ended meanwhile.
            }
        }
    };

    /// <summary>A request id as the body's JSON writes it: a number's digits or a string's text.</summary>
    public static string? KeyOf(JsonValue id) => id.GetValueKind() switch
    {
        JsonValueKind.Number => id.ToJsonString(),
        JsonValueKind.String => id.GetValue<string>(),
        _ => null,
    };

    private sealed class Tracked(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
