using McpApi.Auth;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using McpApi.Doors.Limits;
using McpApi.Doors.Realtime;
using McpApi.Envelopes;
using McpApi.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.WebSockets;

/// <summary>The WebSocket door: <c>GET /mcp/ws</c>, one envelope per text message, replies and pushed events back.</summary>
public static class WebSocketEndpoints
{
    public const string Path = "/mcp/ws";

    public static RouteHandlerBuilder MapWebSocketDoor(this IEndpointRouteBuilder routes) =>
        routes.MapGet(Path, Connect)
            .WithTags("Real-time")
            .WithName("WebSocket")
            .WithSummary("Open a WebSocket: send envelopes, subscribe to topics, receive events")
            .WithDescription("""
                Upgrade to a WebSocket. Each text message is one envelope, answered by one `{"status","message","data"}` message
                that repeats the envelope's optional `"id"`. `{"model":"subscribe","data":{"topics":["chat:lobby"]}}` subscribes
                (actions `add` (default), `remove`, `list`); events arrive as
                `{"status":"event","message":"chat.message","topic":"chat:lobby","cursor":12,"at":...,"data":{...}}`.
                A plain GET without the upgrade gets 400; past McpApi:Connections:MaxWebSockets (503) or MaxPerClient (429)
                the upgrade is refused with an error envelope.
                """)
            .Produces<EnvelopeResponse>(StatusCodes.Status400BadRequest)
            .Produces<EnvelopeResponse>(StatusCodes.Status429TooManyRequests)
            .Produces<EnvelopeResponse>(StatusCodes.Status503ServiceUnavailable)
            .Produces(StatusCodes.Status101SwitchingProtocols);

    internal static async Task<Results<EmptyHttpResult, EnvelopeResult>> Connect(
        HttpContext http, Dispatcher dispatcher, IEventHub hub, IOptions<RealtimeOptions> options,
        IHostApplicationLifetime lifetime, ConnectionLimits limits, ILogger<WebSocketConnection> logger, CallerAuthentication authentication)
    {
        // Thrown to the HTTP pipeline's one error handler, which answers with the error envelope.
        if (!http.WebSockets.IsWebSocketRequest)
            throw RequestError.BadRequest(RealtimeErrorCodes.WebSocketRequired,
                "GET /mcp/ws is a WebSocket endpoint: connect with a WebSocket client (ws://host/mcp/ws). Plain HTTP clients POST envelopes to /mcp.");

        var address = http.Connection.RemoteIpAddress;
        // A credential in the upgrade request's headers authenticates the connection (and counts it for its caller); else its first message must.
        var caller = authentication.Required ? await authentication.CallerAsync(http, "ws") : null;
        using var place = limits.TryOpen(ConnectionDoor.WebSocket, address, out var limit, caller?.Identity)
            ?? throw limits.Refusal(ConnectionDoor.WebSocket, limit!, address, caller?.Identity);
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        using var session = new EnvelopeSession("ws", http.TraceIdentifier, dispatcher, hub, options.Value)
        {
            ClientAddress = address,
            Authentication = caller is null ? null : new SessionAuthentication(
                http.RequestServices.GetRequiredService<CredentialCheck>(), http.RequestServices.GetRequiredService<global::McpApi.Limits.AuthFailureLimiter>(),
                authentication.Options, caller.Identity, address, "ws") { Place = place },
        };
        var connection = new WebSocketConnection(socket, session, options.Value, logger) { Frames = FrameBatchUpgrade.Of(http) };
        await connection.RunAsync(lifetime.ApplicationStopping, http.RequestAborted);
        return TypedResults.Empty;
    }
}
