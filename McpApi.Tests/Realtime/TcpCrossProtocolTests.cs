using System.Net.Sockets;
using System.Text;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Realtime;

/// <summary>
/// Cross-protocol forgery: a browser can be made to POST to the TCP door's port. Whatever looks like HTTP closes the
/// connection before any of its lines runs (as Redis does for its port), with a warning in the log.
/// </summary>
public sealed class TcpCrossProtocolTests : IDisposable
{
    private readonly LogCollector _log = new();
    private readonly RealtimeServer _server;

    public TcpCrossProtocolTests() =>
        _server = new RealtimeServer(configure: services => services.AddSingleton<ILogEventSink>(_log));

    public void Dispose() => _server.Dispose();

    public static TheoryData<string> HttpLookingStarts() =>
    [
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nContent-Type: text/plain\r\nContent-Length: 60\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "PUT /x HTTP/1.0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\n\r\n",
        "Host: 127.0.0.1\r\n",
    ];

    [Theory]
    [MemberData(nameof(HttpLookingStarts))]
    public async Task AConnectionThatStartsLikeHttpIsClosedAtOnceAndNothingOfItRuns(string start)
    {
        var forged = $"forged-{Guid.NewGuid():N}";
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _server.TcpPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(start + $$"""{"model":"notes","action":"add","data":"{{forged}}"}""" + "\n"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            received.Write(buffer, 0, read);

        Encoding.UTF8.GetString(received.ToArray()).ShouldBeEmpty();
        using var http = _server.CreateClient();
        var notes = await http.PostEnvelopeAsync(new { model = "notes", action = "list" });
        notes.ToString().ShouldNotContain(forged);
        var warning = await _log.WaitForAsync(e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("HTTP"), TimeSpan.FromSeconds(10), "warning about HTTP on the TCP door");
        warning.RenderMessage().ShouldContain("closed");
    }

    [Fact]
    public async Task JsonLinesStillRunAfterAnHttpLookingConnectionWasRefused()
    {
        using (var refused = new TcpClient())
        {
            await refused.ConnectAsync("127.0.0.1", _server.TcpPort);
            await refused.GetStream().WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        }
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
        var reply = await tcp.ReplyAsync("""{"model":"echo","data":"POST / HTTP/1.1"}""");
        reply.GetProperty("status").GetString().ShouldBe("success");
    }
}
