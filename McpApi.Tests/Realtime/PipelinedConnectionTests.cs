using System.Net.Http.Json;
using System.Text.Json;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Realtime;

/// <summary>
/// Many envelopes in flight on one WebSocket or TCP connection (McpApi:Realtime:MaxInFlightPerConnection): they run
/// concurrently, finish in any order, and the replies still leave in request order.
/// </summary>
public sealed class PipelinedConnectionTests : IDisposable
{
    private const int Waiters = 10;

    private readonly RealtimeServer _server = new(new()
    {
        ["McpApi:Realtime:MaxInFlightPerConnection"] = "16",
    }, services => services.AddModel<GateModel>());

    public void Dispose() => _server.Dispose();

    /// <summary>Waiters on gates g1..g10, then one envelope that opens them in reverse: only possible with all eleven in flight.</summary>
    private static IEnumerable<string> GatesOpenedInReverse(string prefix)
    {
        for (var i = 1; i <= Waiters; i++)
            yield return JsonSerializer.Serialize(new { id = i, model = "gate", action = "wait", data = new { gate = $"{prefix}{i}" } });
        yield return JsonSerializer.Serialize(new
        {
            id = Waiters + 1, model = "gate", action = "open",
            data = new { gates = Enumerable.Range(1, Waiters).Reverse().Select(i => $"{prefix}{i}").ToArray() },
        });
    }

    private static void ShouldBeInRequestOrderThoughFinishedInReverse(IReadOnlyList<JsonElement> replies)
    {
        replies.Select(r => r.GetProperty("id").GetInt32()).ShouldBe(Enumerable.Range(1, Waiters + 1));
        replies.ShouldAllBe(r => r.GetProperty("status").GetString() == "success");
        // The waiters finished last-sent first; each reply still waited for the ones before it.
        replies.Take(Waiters).Select(r => r.GetProperty("data").GetProperty("place").GetInt32())
            .ShouldBe(Enumerable.Range(1, Waiters).Reverse());
    }

    [Fact]
    public async Task WebSocketRepliesLeaveInRequestOrderWhileEnvelopesFinishOutOfOrder()
    {
        using var ws = new WsTestClient(await _server.ConnectWebSocketAsync());
        foreach (var envelope in GatesOpenedInReverse("ws"))
            await ws.SendTextAsync(envelope);

        var replies = new List<JsonElement>();
        for (var i = 0; i <= Waiters; i++)
            replies.Add(await ws.ReceiveAsync() ?? throw new ShouldAssertException("The socket closed."));

        ShouldBeInRequestOrderThoughFinishedInReverse(replies);
    }

    [Fact]
    public async Task TcpRepliesLeaveInRequestOrderWhileEnvelopesFinishOutOfOrder()
    {
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
        await tcp.SendLineAsync(string.Join("\n", GatesOpenedInReverse("tcp")));

        var replies = new List<JsonElement>();
        for (var i = 0; i <= Waiters; i++)
            replies.Add(await tcp.ReadAsync() ?? throw new ShouldAssertException("The connection closed."));

        ShouldBeInRequestOrderThoughFinishedInReverse(replies);
    }

    [Fact]
    public async Task AConnectionRunsAtMostTheSettingsNumberOfEnvelopesAtOnce()
    {
        using var server = new RealtimeServer(new() { ["McpApi:Realtime:MaxInFlightPerConnection"] = "4" }, services => services.AddModel<GateModel>());
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());
        for (var i = 1; i <= 6; i++)
            await ws.SendAsync(new { id = i, model = "gate", action = "wait", data = new { gate = $"b{i}" } });
        using var http = server.CreateClient();
        // Four run and wait; the fifth and sixth are not read until a reply has gone out.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var waiting = 0; waiting < 4; patience.Token.ThrowIfCancellationRequested())
            waiting = (await Post(http, new { model = "gate", action = "waiting" })).GetProperty("data").GetProperty("waiting").GetInt32();

        var opened = await Post(http, new { model = "gate", action = "open", data = new { gates = Enumerable.Range(1, 6).Select(i => $"b{i}").ToArray() } });

        opened.GetProperty("data").GetProperty("waiting").GetInt32().ShouldBe(4, "most waiters running at once on the connection");
        for (var i = 1; i <= 6; i++)
            (await ws.ReceiveAsync())!.Value.GetProperty("id").GetInt32().ShouldBe(i);
    }

    [Fact]
    public async Task ASubscriptionCoversTheEnvelopesSentAfterItNotThoseBefore()
    {
        using var ws = new WsTestClient(await _server.ConnectWebSocketAsync());
        // Sent back to back, without waiting for replies: the first message must not be delivered, the second must.
        await ws.SendAsync(new { id = 1, model = "chat", context = new { user = "ana", room = "pipelined" }, data = "before" });
        await ws.SendAsync(new { id = 2, model = "subscribe", data = new { topics = new[] { "chat:pipelined" } } });
        await ws.SendAsync(new { id = 3, model = "chat", context = new { user = "ana", room = "pipelined" }, data = "after" });

        var pushed = await ws.NextEventAsync();

        pushed.GetProperty("data").GetProperty("text").GetString().ShouldBe("after");
    }

    private static async Task<JsonElement> Post(HttpClient http, object envelope)
    {
        using var response = await http.PostAsJsonAsync("/mcp", envelope);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
