using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Limits;

/// <summary>
/// The caller budgets on the WebSocket and TCP doors (real sockets from 127.0.0.1, loopback not exempt): envelopes count
/// against the request budget, writes against the write budget, and a refusal is the same <c>rate_limited</c> error
/// envelope HTTP answers, with the request's id.
/// </summary>
public sealed class RealtimeRateLimitTests
{
    private const int Attempts = 60;

    private static RealtimeServer Server(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["RateLimits:ExemptLoopback"] = "false" };
        foreach (var (key, value) in settings)
            all[key] = value;
        return new RealtimeServer(all);
    }

    private static string StateSet(int value) =>
        JsonSerializer.Serialize(new { id = value, model = "state", action = "set", context = "limits", data = new { key = "k", value } });

    /// <summary>Sends until the first error reply and returns it.</summary>
    private static async Task<JsonElement> FirstRefusalAsync(Func<int, Task<JsonElement>> send)
    {
        for (var i = 0; i < Attempts; i++)
        {
            var reply = await send(i);
            if (reply.GetProperty("status").GetString() == "error")
                return reply;
        }
        throw new ShouldAssertException($"No refusal within {Attempts} messages.");
    }

    private static void ShouldBeRateLimited(JsonElement reply, string setting)
    {
        reply.GetProperty("data").GetProperty("code").GetString().ShouldBe(ErrorCodes.RateLimited, reply.ToString());
        reply.GetProperty("message").GetString()!.ShouldContain(setting);
        reply.GetProperty("data").GetProperty("retryAfterSeconds").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        reply.TryGetProperty("id", out _).ShouldBeTrue(reply.ToString());
    }

    [Fact]
    public async Task WebSocketWritesOverTheWriteBudgetGetRateLimited()
    {
        using var server = Server(("RateLimits:WritesPerSecond", "1"), ("RateLimits:WriteBurst", "2"));
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());

        ShouldBeRateLimited(await FirstRefusalAsync(i => ws.ReplyAsync(StateSet(i))), "RateLimits:WritesPerSecond");
        // Reads are not writes: the connection still reads.
        var read = await ws.ReplyAsync(new { model = "state", action = "get", context = "limits", data = new { key = "k" } });
        read.GetProperty("status").GetString().ShouldBe("success", read.ToString());
    }

    [Fact]
    public async Task TcpWritesOverTheWriteBudgetGetRateLimited()
    {
        using var server = Server(("RateLimits:WritesPerSecond", "1"), ("RateLimits:WriteBurst", "2"));
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);

        ShouldBeRateLimited(await FirstRefusalAsync(i => tcp.ReplyAsync(StateSet(i))), "RateLimits:WritesPerSecond");
    }

    [Fact]
    public async Task WebSocketAndTcpEnvelopesCountAgainstTheCallersRequestBudget()
    {
        // Below the per-connection bucket (McpApi:Realtime:MessagesPerSecond), so the caller's budget is what refuses.
        using var server = Server(("RateLimits:RequestsPerSecond", "1"), ("RateLimits:RequestBurst", "5"));
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());
        ShouldBeRateLimited(await FirstRefusalAsync(i => ws.ReplyAsync(new { id = i, model = "echo" })), "RateLimits:RequestsPerSecond");

        using var tcpServer = Server(("RateLimits:RequestsPerSecond", "1"), ("RateLimits:RequestBurst", "5"));
        using var tcp = await TcpTestClient.ConnectAsync(tcpServer.TcpPort);
        ShouldBeRateLimited(await FirstRefusalAsync(i => tcp.ReplyAsync($$"""{"id":{{i}},"model":"echo"}""")), "RateLimits:RequestsPerSecond");
    }
}
