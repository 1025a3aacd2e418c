using System.Net.WebSockets;
using McpApi.Hosting;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// The app in-process on real Kestrel sockets (HTTP, WebSocket, SSE and the TCP door on free loopback ports),
/// with the test-only flood model registered, for tests that need real sockets and many events.
/// </summary>
internal sealed class RealtimeServer : IDisposable
{
    private McpApiApplication _app;

    public RealtimeServer(Dictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configure = null)
    {
        // A port found free can be taken by a parallel test before this server binds it: then the host fails to start
        // (WebApplicationFactory reports it as a disposed service provider) and it starts again on other ports.
        for (var attempt = 1; ; attempt++)
        {
            HttpPort = ServerProcess.FreePort();
            TcpPort = ServerProcess.FreePort();
            _app = new McpApiApplication
            {
                Configure = services =>
                {
                    services.AddModel<FloodModel>();
                    configure?.Invoke(services);
                },
            };
            _app.Settings["urls"] = $"http://127.0.0.1:{HttpPort}";
            _app.Settings["McpApi:Tcp:Port"] = TcpPort.ToString();
            foreach (var (key, value) in settings ?? [])
                _app.Settings[key] = value;
            _app.UseKestrel();
            try
            {
                _app.StartServer();
                return;
            }
            catch (Exception ex) when (attempt < 3 && ex is ObjectDisposedException or IOException)
            {
                _app.Dispose();
            }
        }
    }

    public int HttpPort { get; private set; }

    public int TcpPort { get; private set; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    public Uri WebSocketUri => new($"ws://127.0.0.1:{HttpPort}/mcp/ws");

    public IServiceProvider Services => _app.Services;

    public string DatabasePath => _app.DatabasePath;

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<ClientWebSocket> ConnectWebSocketAsync()
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(WebSocketUri, CancellationToken.None);
        return socket;
    }

    public void Dispose() => _app.Dispose();
}
