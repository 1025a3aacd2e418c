using System.Net;
using McpApi.Dispatching;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Auth;

/// <summary>
/// Refused credentials on every door feed one per-address limiter (<c>RateLimits:AuthFailuresPerWindow</c>): the
/// WebSocket and TCP <c>auth</c> message like an HTTP header, each failure logged once at Warning, never the secret.
/// </summary>
public sealed class AuthFailureDoorTests
{
    private const string Wrong = "wrong-key-0123456789";

    private static bool IsFailureLine(LogEvent e) => e.MessageTemplate.Text.StartsWith("Authentication failed", StringComparison.Ordinal);

    private static string? DoorOf(LogEvent e) => e.Properties.TryGetValue("Door", out var door) ? door.ToString().Trim('"') : null;

    [Fact]
    public async Task ABurstOfWrongAuthMessagesOverTcpIsRefusedAndBlocksTheAddressOnWebSocketAndHttpToo()
    {
        var logs = new LogCollector();
        using var server = new RealtimeServer(new Dictionary<string, string?>
        {
            ["RateLimits:AuthFailuresPerWindow"] = "3",
            ["RateLimits:AuthFailureWindowSeconds"] = "3600",
        }.WithApiKeys(), services => services.AddSingleton<ILogEventSink>(logs));
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);
        var wrongAuth = System.Text.Json.JsonSerializer.Serialize(new { model = "auth", data = new { key = Wrong } });

        var refused = new List<System.Text.Json.JsonElement>();
        for (var i = 0; i < 3; i++)
            refused.Add(await tcp.ReplyAsync(wrongAuth));
        var blocked = await tcp.ReplyAsync(System.Text.Json.JsonSerializer.Serialize(new { model = "auth", data = new { key = TestKeys.Ana } }));
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());
        var wsBlocked = await ws.ReplyAsync(new { model = "auth", data = new { key = TestKeys.Ana } });
        var http = await server.CreateClient().WithKey(TestKeys.Ana).PostEnvelopeAsync(new { model = "chat", action = "rooms" });

        refused.ShouldAllBe(r => r.GetProperty("data").GetProperty("code").GetString() == ErrorCodes.Unauthenticated);
        blocked.GetProperty("data").GetProperty("code").GetString().ShouldBe(ErrorCodes.RateLimited, blocked.ToString());
        blocked.GetProperty("message").GetString()!.ShouldContain("RateLimits:AuthFailuresPerWindow");
        blocked.GetProperty("data").GetProperty("retryAfterSeconds").GetInt32().ShouldBeGreaterThan(3500);
        wsBlocked.GetProperty("data").GetProperty("code").GetString().ShouldBe(ErrorCodes.RateLimited, wsBlocked.ToString());
        http.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, http.ToString());
        var failures = logs.Events.Where(IsFailureLine).ToList();
        failures.Count.ShouldBe(3, string.Join(" | ", failures.Select(f => f.RenderMessage())));
        failures.ShouldAllBe(e => e.Level == LogEventLevel.Warning && DoorOf(e) == "tcp");
        logs.Events.ShouldNotContain(e => e.RenderMessage(null).Contains(Wrong));
    }

    [Fact]
    public async Task AWrongAuthMessageOnAWebSocketIsCountedAgainstItsAddress()
    {
        var logs = new LogCollector();
        using var server = new RealtimeServer(new Dictionary<string, string?>
        {
            ["RateLimits:AuthFailuresPerWindow"] = "2",
            ["RateLimits:AuthFailureWindowSeconds"] = "3600",
        }.WithApiKeys(), services => services.AddSingleton<ILogEventSink>(logs));
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());

        var first = await ws.ReplyAsync(new { model = "auth", data = new { key = Wrong } });
        var second = await ws.ReplyAsync(new { model = "auth", data = new { key = Wrong } });
        var third = await ws.ReplyAsync(new { model = "auth", data = new { key = TestKeys.Ana } });

        first.GetProperty("data").GetProperty("code").GetString().ShouldBe(ErrorCodes.Unauthenticated);
        second.GetProperty("data").GetProperty("code").GetString().ShouldBe(ErrorCodes.Unauthenticated);
        third.GetProperty("data").GetProperty("code").GetString().ShouldBe(ErrorCodes.RateLimited, third.ToString());
        logs.Events.Where(IsFailureLine).Count().ShouldBe(2);
        logs.Events.Where(IsFailureLine).ShouldAllBe(e => DoorOf(e) == "ws");
    }

    [Theory]
    [InlineData("X-Api-Key")]
    [InlineData("Authorization")]
    public async Task ARefusedHttpCredentialIsLoggedOnceWithTheReasonAndNeverTheKey(string header)
    {
        var logs = new LogCollector();
        var configured = new McpApiApplication { Configure = services => services.AddSingleton<ILogEventSink>(logs) };
        configured.Settings.WithApiKeys();
        using (configured)
        {
            var client = configured.CreateClient();
            if (header == "Authorization")
                client.WithKey(Wrong);
            else
                client.DefaultRequestHeaders.Add(header, Wrong);

            var reply = await client.PostEnvelopeAsync(new { model = "chat", action = "rooms" });

            reply.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            var failures = logs.Events.Where(IsFailureLine).ToList();
            failures.Count.ShouldBe(1, string.Join(" | ", failures.Select(f => f.RenderMessage())));
            failures[0].Level.ShouldBe(LogEventLevel.Warning);
            failures[0].RenderMessage().ShouldContain("API key was refused");
            logs.Events.ShouldNotContain(e => e.RenderMessage(null).Contains(Wrong));
        }
    }
}
