using Microsoft.AspNetCore.Http.Features;

namespace McpApi.Doors.WebSockets;

/// <summary>
/// Puts a <see cref="FrameBatchStream"/> under the WebSocket of <c>GET /mcp/ws</c>: the upgrade feature the WebSocket
/// middleware upgrades through hands it the connection wrapped, so <see cref="WebSocketConnection"/> can send a batch
/// of events as frames back to back in one write. Placed before <c>UseWebSockets</c>, which takes the feature when a
/// request enters it.
/// </summary>
internal sealed class FrameBatchUpgrade(IHttpUpgradeFeature upgrade) : IHttpUpgradeFeature
{
    /// <summary>The wrapped connection once upgraded (null before).</summary>
    public FrameBatchStream? Stream { get; private set; }

    public bool IsUpgradableRequest => upgrade.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => Stream = new FrameBatchStream(await upgrade.UpgradeAsync());

    /// <summary>The batching stream under this request's WebSocket, when it was accepted through <see cref="FrameBatchUpgrade"/>.</summary>
    public static FrameBatchStream? Of(HttpContext http) => (http.Features.Get<IHttpUpgradeFeature>() as FrameBatchUpgrade)?.Stream;

    /// <summary>Wraps the upgrade of WebSocket requests to <paramref name="path"/> (HTTP/1.1; an HTTP/2 WebSocket is left as it is).</summary>
    public static IApplicationBuilder UseFrameBatches(IApplicationBuilder app, PathString path) =>
        app.Use((http, next) =>
        {
            if (http.Request.Path.Equals(path, StringComparison.OrdinalIgnoreCase)
                && http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
                http.Features.Set<IHttpUpgradeFeature>(new FrameBatchUpgrade(upgrade));
            return next(http);
        });
}
