using System.Net.Sockets;
using System.Text;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Realtime;

/// <summary>
/// Issue 10, defect 12 (SSE half): a reader that takes no data falls behind while the server is stuck writing to it,
/// so it never reaches its "closed" event and is cut after the grace period. That cut leaves a Warning line.
/// </summary>
public sealed class SseOverflowCutLogTests : IDisposable
{
    private const int QueueCapacity = 16;
    private readonly LogCollector _log = new();
    private readonly RealtimeServer _server;

    public SseOverflowCutLogTests() =>
        _server = new RealtimeServer(new()
        {
            ["McpApi:Realtime:SubscriberQueueCapacity"] = QueueCapacity.ToString(),
            ["McpApi:Realtime:DisconnectGraceSeconds"] = "1",
        }, services => services.AddSingleton<ILogEventSink>(_log));

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AnSseReaderThatTakesNoDataIsCutForOverflowWithAWarningLine()
    {
        // A raw socket with a tiny receive buffer that reads the response head and the ready event, then nothing more.
        using var reader = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await reader.ConnectAsync("127.0.0.1", _server.HttpPort);
        await reader.SendAsync(Encoding.ASCII.GetBytes($"GET /mcp/events?topics=flood:slow HTTP/1.1\r\nHost: 127.0.0.1:{_server.HttpPort}\r\nAccept: text/event-stream\r\n\r\n"));
        var head = new StringBuilder();
        var buffer = new byte[1024];
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!head.ToString().Contains("event: ready"))
            {
                var read = await reader.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                read.ShouldBeGreaterThan(0, "the stream ended before its ready event");
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        head.ToString().ShouldStartWith("HTTP/1.1 200");

        // One event larger than every buffer between the server and this reader (Kestrel's 64 KiB, a loopback send buffer
        // of at most 4 MiB, the 4 KiB receive buffer): the server's write of it cannot finish while the reader takes
        // nothing, so the stream is stuck mid-write and never reaches its own "closed" event. Then more events than the
        // queue holds: the queue overflows while the stream is stuck, whatever the machine's speed.
        using var http = _server.CreateClient();
        (await http.PostEnvelopeAsync(new { model = "flood", data = new { topic = "flood:slow", count = 1, size = 16 * 1024 * 1024 } })).Status.ShouldBe("success");
        (await http.PostEnvelopeAsync(new { model = "flood", data = new { topic = "flood:slow", count = QueueCapacity + 1, size = 16 } })).Status.ShouldBe("success");

        var cut = await _log.WaitForAsync(IsOverflowWarning, TimeSpan.FromSeconds(30), "about the SSE reader cut for overflow");

        cut.Level.ShouldBe(LogEventLevel.Warning);
        // Whether the stream saw its overflow itself ("is disconnected") or was stuck mid-write and cut after the grace
        // period ("was cut"), one Warning line says so.
        cut.RenderMessage().ShouldContain($"{QueueCapacity} events behind");
        _log.Events.Count(IsOverflowWarning).ShouldBe(1);

        // The stream is really over: what was buffered drains, then the connection ends (cut, or reset) or the response
        // ends with its last chunk (the stream saw its overflow itself; the connection may then serve another request).
        var ended = false;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            var drain = new byte[64 * 1024];
            var tail = "";
            try
            {
                int read;
                while ((read = await reader.ReceiveAsync(drain, SocketFlags.None, timeout.Token)) > 0)
                {
                    tail = (tail + Encoding.ASCII.GetString(drain, 0, read))[^Math.Min(tail.Length + read, 16)..];
                    if (tail.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                        break;
                }
                ended = true;
            }
            catch (SocketException)
            {
                ended = true;
            }
        }
        ended.ShouldBeTrue();
    }

    private static bool IsOverflowWarning(LogEvent e) =>
        e.Level == LogEventLevel.Warning && e.MessageTemplate.Text.StartsWith("SSE stream", StringComparison.Ordinal);
}
