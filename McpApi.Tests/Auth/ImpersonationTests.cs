using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Auth;

/// <summary>With authentication, the chat sender and the game player come from the credential, never from the envelope.</summary>
public sealed class ImpersonationTests
{
    [Fact]
    public async Task AChatMessageIsRecordedUnderTheCallersNameWhenTheContextNamesNoSender()
    {
        using var app = TestKeys.ApiKeyApp();
        var ana = app.CreateClient().WithKey(TestKeys.Ana);

        var sent = await ana.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { room = "lobby" }, data = "hi" });

        sent.Status.ShouldBe("success", sent.ToString());
        sent.Data.GetProperty("user").GetString().ShouldBe("ana");
    }

    [Fact]
    public async Task SendingAsSomeoneElseIs403AndNothingIsPosted()
    {
        using var app = TestKeys.ApiKeyApp();
        var ana = app.CreateClient().WithKey(TestKeys.Ana);

        var forged = await ana.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "bob", room = "lobby" }, data = "I owe ana money" });
        var history = await ana.PostEnvelopeAsync(new { model = "chat", action = "history", context = new { room = "lobby" } });

        forged.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        forged.Code.ShouldBe("forbidden");
        forged.Message.ShouldContain("act-as");
        forged.Data.GetProperty("requiredScope").GetString().ShouldBe("act-as");
        history.Data.GetProperty("messages").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task NamingYourselfIsAllowed()
    {
        using var app = TestKeys.ApiKeyApp();
        var ana = app.CreateClient().WithKey(TestKeys.Ana);

        var sent = await ana.PostEnvelopeAsync(new { model = "chat", action = "send", context = "ana", data = "hi" });

        sent.Status.ShouldBe("success", sent.ToString());
    }

    [Fact]
    public async Task ABridgeWithActAsMaySendForSomeoneElse()
    {
        using var app = TestKeys.ApiKeyApp();
        var bridge = app.CreateClient().WithKey(TestKeys.Bridge);

        var sent = await bridge.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "irc-carol" }, data = "relayed" });

        sent.Status.ShouldBe("success", sent.ToString());
        sent.Data.GetProperty("user").GetString().ShouldBe("irc-carol");
    }

    [Fact]
    public async Task AMoveIsPlayedAsTheCallerAndPlayingAnothersSeatIs403()
    {
        using var app = TestKeys.ApiKeyApp();
        var bob = app.CreateClient().WithKey(TestKeys.Bob); // move:*
        var admin = app.CreateClient().WithKey(TestKeys.Admin);

        (await bob.PostEnvelopeAsync(new { model = "move", action = "new", data = new { id = "g1" } })).Status.ShouldBe("success");
        var joined = await bob.PostEnvelopeAsync(new { model = "move", action = "join", context = new { game = "g1" } });
        (await admin.PostEnvelopeAsync(new { model = "move", action = "join", context = new { game = "g1", player = "carol" } })).Status.ShouldBe("success");
        var forged = await bob.PostEnvelopeAsync(new { model = "move", action = "play", context = new { game = "g1", player = "carol" }, data = new { cell = 4 } });
        var game = await admin.PostEnvelopeAsync(new { model = "move", action = "get", context = new { game = "g1" } });

        joined.Data.GetProperty("players").GetProperty("X").GetString().ShouldBe("bob");
        forged.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        forged.Message.ShouldContain("You are 'bob'");
        game.Data.GetProperty("moves").GetInt32().ShouldBe(0);
    }
}
