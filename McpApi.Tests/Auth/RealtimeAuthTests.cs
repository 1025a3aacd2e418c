using System.Net;
using System.Net.WebSockets;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Auth;

/// <summary>WebSocket, TCP and SSE with <c>Auth:Mode=ApiKey</c>: the first-message auth, headers at connect, tickets, 401/403.</summary>
public sealed class RealtimeAuthTests
{
    private static RealtimeServer Server(int firstMessageSeconds = 30) =>
        new(new Dictionary<string, string?> { ["Auth:FirstMessageSeconds"] = firstMessageSeconds.ToString() }.WithApiKeys());

    [Fact]
    public async Task AWebSocketAnswersNothingButTheAuthMessageUntilItAuthenticatesThenActsAsTheKeysHolder()
    {
        using var server = Server();
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());

        var early = await ws.ReplyAsync(new { id = 1, model = "chat", action = "send", context = "ana", data = "too early" });
        var wrong = await ws.ReplyAsync(new { id = 2, model = "auth", data = new { key = "not-a-key" } });
        var auth = await ws.ReplyAsync(new { id = 3, model = "auth", data = new { key = TestKeys.Ana } });
        var sent = await ws.ReplyAsync(new { id = 4, model = "chat", action = "send", context = new { room = "lobby" }, data = "hi" });
        var forbidden = await ws.ReplyAsync(new { id = 5, model = "notes", action = "add", data = "no scope" });

        early.GetProperty("data").GetProperty("code").GetString().ShouldBe("unauthenticated");
        early.GetProperty("id").GetInt32().ShouldBe(1);
        wrong.GetProperty("data").GetProperty("code").GetString().ShouldBe("unauthenticated");
        wrong.GetProperty("message").GetString()!.ShouldContain("API key was refused");
        auth.GetProperty("status").GetString().ShouldBe("success");
        auth.GetProperty("data").GetProperty("name").GetString().ShouldBe("ana");
        sent.GetProperty("data").GetProperty("user").GetString().ShouldBe("ana");
        forbidden.GetProperty("data").GetProperty("code").GetString().ShouldBe("forbidden");
        var history = await server.CreateClient().WithKey(TestKeys.Admin).PostEnvelopeAsync(new { model = "chat", action = "history", context = new { room = "lobby" } });
        history.Data.GetProperty("messages").GetArrayLength().ShouldBe(1, "the message sent before authenticating was not posted");
    }

    [Fact]
    public async Task AWebSocketWithTheKeyInTheUpgradeHeadersIsAuthenticatedAtConnect()
    {
        using var server = Server();
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Api-Key", TestKeys.Bob);
        await socket.ConnectAsync(server.WebSocketUri, CancellationToken.None);
        using var ws = new WsTestClient(socket);

        var joined = await ws.ReplyAsync(new { model = "move", action = "new", data = new { id = "g1" } });

        joined.GetProperty("status").GetString().ShouldBe("success", joined.ToString());
    }

    [Fact]
    public async Task AWebSocketThatNeverAuthenticatesIsClosedAsAPolicyViolation()
    {
        using var server = Server(firstMessageSeconds: 1);
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());

        var message = await ws.ReceiveAsync(TimeSpan.FromSeconds(30));

        message.ShouldBeNull();
        ws.Socket.CloseStatus.ShouldBe(WebSocketCloseStatus.PolicyViolation);
        ws.Socket.CloseStatusDescription!.ShouldContain("unauthenticated");
    }

    [Fact]
    public async Task SubscribingToATopicNeedsAScopeThatReadsIt()
    {
        using var server = Server();
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());
        await ws.ReplyAsync(new { model = "auth", data = new { key = TestKeys.Bob } }); // move:*, notes:*:work

        var chat = await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "chat:lobby" } } });
        var game = await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "move:g1" } } });

        chat.GetProperty("data").GetProperty("code").GetString().ShouldBe("forbidden");
        chat.GetProperty("data").GetProperty("requiredScope").GetString().ShouldBe("chat:read:lobby");
        game.GetProperty("status").GetString().ShouldBe("success");
    }

    [Fact]
    public async Task TcpAnswersEveryLineBeforeTheAuthLineWith401()
    {
        using var server = Server();
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);

        var early = await tcp.ReplyAsync("""{"model":"notes","action":"add","context":"work","data":"too early"}""");
        var auth = await tcp.ReplyAsync(System.Text.Json.JsonSerializer.Serialize(new { model = "auth", data = new { key = TestKeys.Bob } }));
        var added = await tcp.ReplyAsync("""{"model":"notes","action":"add","context":"work","data":"after auth"}""");
        var other = await tcp.ReplyAsync("""{"model":"notes","action":"add","context":"home","data":"not mine"}""");

        early.GetProperty("data").GetProperty("code").GetString().ShouldBe("unauthenticated");
        auth.GetProperty("status").GetString().ShouldBe("success");
        added.GetProperty("status").GetString().ShouldBe("success", added.ToString());
        other.GetProperty("data").GetProperty("code").GetString().ShouldBe("forbidden");
        var notes = await server.CreateClient().WithKey(TestKeys.Admin).PostEnvelopeAsync(new { model = "notes", action = "list", context = "work" });
        notes.Data.GetProperty("notes").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task ATcpClientThatNeverAuthenticatesGetsAFinal401LineAndIsDisconnected()
    {
        using var server = Server(firstMessageSeconds: 1);
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);

        var final = await tcp.ReadAsync(TimeSpan.FromSeconds(30));
        var after = await tcp.ReadAsync(TimeSpan.FromSeconds(30));

        final.ShouldNotBeNull().GetProperty("data").GetProperty("code").GetString().ShouldBe("unauthenticated");
        final.Value.GetProperty("message").GetString()!.ShouldContain("Auth:FirstMessageSeconds");
        after.ShouldBeNull();
    }

    [Fact]
    public async Task AnEventStreamNeedsTheKeyInItsHeadersOrAOneUseTicket()
    {
        using var server = Server();
        var anonymous = server.CreateClient();
        var ana = server.CreateClient().WithKey(TestKeys.Ana);

        using var refused = await anonymous.GetAsync("/mcp/events?topics=chat:lobby", HttpCompletionOption.ResponseHeadersRead);
        using var withHeader = await ana.GetAsync("/mcp/events?topics=chat:lobby", HttpCompletionOption.ResponseHeadersRead);
        var ticket = await ana.PostAsync("/mcp/events/ticket", null);
        var ticketValue = (await EnvelopeClient.ReadAsync(ticket)).Data.GetProperty("ticket").GetString();
        using var withTicket = await anonymous.GetAsync($"/mcp/events?topics=chat:lobby&ticket={ticketValue}", HttpCompletionOption.ResponseHeadersRead);
        using var reused = await anonymous.GetAsync($"/mcp/events?topics=chat:lobby&ticket={ticketValue}", HttpCompletionOption.ResponseHeadersRead);
        using var noScope = await server.CreateClient().WithKey(TestKeys.Bob).GetAsync("/mcp/events?topics=chat:lobby", HttpCompletionOption.ResponseHeadersRead);

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await EnvelopeClient.ReadAsync(refused)).Code.ShouldBe("unauthenticated");
        withHeader.StatusCode.ShouldBe(HttpStatusCode.OK);
        withTicket.StatusCode.ShouldBe(HttpStatusCode.OK);
        reused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await EnvelopeClient.ReadAsync(reused)).Message.ShouldContain("ticket is unknown, used or expired");
        noScope.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await EnvelopeClient.ReadAsync(noScope)).Code.ShouldBe("forbidden");
    }
}
