using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Realtime;

/// <summary>How the server ends a connection it must end: it says why, to the client and in the log.</summary>
public sealed class ConnectionEndingTests : IDisposable
{
    private readonly LogCollector _log = new();
    private readonly RealtimeServer _server;

    public ConnectionEndingTests() =>
        _server = new RealtimeServer(new()
        {
                        ["McpApi:Realtime:DisconnectGraceSeconds"] = "1",
        }, services => services.AddSingleton<ILogEventSink>(_log));

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task InvalidUtf8OnAWebSocketGetsTheCloseFrame1007NotAReset()
    {
        for (var i = 0; i < 20; i++)
        {
            using var socket = await _server.ConnectWebSocketAsync();
            await socket.SendAsync(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}' }, WebSocketMessageType.Text, true, CancellationToken.None);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var result = await socket.ReceiveAsync(new byte[1024], timeout.Token);

            result.MessageType.ShouldBe(WebSocketMessageType.Close, $"attempt {i}");
            socket.CloseStatus.ShouldBe(WebSocketCloseStatus.InvalidPayloadData, $"attempt {i}");
        }
    }
}
