using System.Net;
using McpApi.Events;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Models;

/// <summary>Runs on both storage providers: <see cref="ChatModelTestsOnSqlite"/> and <see cref="ChatModelTestsOnPostgreSql"/>.</summary>
public abstract class ChatModelTests : IDisposable
{
    private readonly McpApiApplication _app;
    private readonly HttpClient _client;

    protected ChatModelTests(TestStorage storage)
    {
        _app = new(storage);
        _app.Settings["Chat:MaxTextLength"] = "30";
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task<EnvelopeReply> Chat(string? action, object? context = null, object? data = null) =>
        _client.PostEnvelopeAsync(new { model = "chat", action, context, data });

    [Fact]
    public async Task TheSeedChatRequestSendsAsUserToTheLobbyAndAnnouncesTheMessage()
    {
        using var events = _app.Services.GetRequiredService<IEventHub>().Subscribe(["chat:lobby"], 10);

        var reply = await _client.PostRawAsync("""{"model":"chat","context":"user","data":"Hello, world!"}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Message.ShouldBe("Message 1 sent to room 'lobby'.");
        reply.Data.GetProperty("id").GetInt64().ShouldBe(1);
        reply.Data.GetProperty("room").GetString().ShouldBe("lobby");
        reply.Data.GetProperty("user").GetString().ShouldBe("user");
        reply.Data.GetProperty("text").GetString().ShouldBe("Hello, world!");
        reply.Data.GetProperty("sentAt").GetString()!.ShouldEndWith("Z");
        events.Reader.TryRead(out var sent).ShouldBeTrue();
        sent!.Type.ShouldBe("chat.message");
        sent.Topic.ShouldBe("chat:lobby");
        sent.Cursor.ShouldBe(1);
    }

    [Fact]
    public async Task AnObjectContextPicksTheRoomAndDataMayBeAnObjectWithText()
    {
        var reply = await Chat("send", new { user = "ana", room = "dev" }, new { text = "hi devs" });

        reply.Data.GetProperty("room").GetString().ShouldBe("dev");
        reply.Data.GetProperty("user").GetString().ShouldBe("ana");
        reply.Data.GetProperty("text").GetString().ShouldBe("hi devs");
    }

    [Fact]
    public async Task HistoryReturnsOldestFirstAndPagesBeforeAndAfterAnId()
    {
        var ids = new List<long>();
        for (var i = 1; i <= 6; i++)
            ids.Add((await Chat("send", new { user = "ana", room = "hist" }, $"m{i}")).Data.GetProperty("id").GetInt64());
        await Chat("send", new { user = "bob", room = "elsewhere" }, "not here");

        var all = await Chat("history", new { room = "hist" });
        var latest = await Chat("history", new { room = "hist" }, new { limit = 2 });
        var before = await Chat("history", new { room = "hist" }, new { before = ids[3], limit = 2 });
        var after = await Chat("history", new { room = "hist" }, new { after = ids[3] });

        all.Data.GetProperty("room").GetString().ShouldBe("hist");
        Texts(all).ShouldBe(["m1", "m2", "m3", "m4", "m5", "m6"]);
        Texts(latest).ShouldBe(["m5", "m6"]);
        Texts(before).ShouldBe(["m2", "m3"]);
        Texts(after).ShouldBe(["m5", "m6"]);
    }

    [Fact]
    public async Task RoomsListsEachRoomWithItsMessageCountAndLastActivity()
    {
        await Chat("send", new { user = "ana", room = "a" }, "1");
        await Chat("send", new { user = "ana", room = "a" }, "2");
        var last = await Chat("send", new { user = "bob", room = "b" }, "3");

        var reply = await Chat("rooms");

        var rooms = reply.Data.GetProperty("rooms").EnumerateArray().ToArray();
        rooms.Select(r => r.GetProperty("room").GetString()).ShouldBe(["a", "b"]);
        rooms.Select(r => r.GetProperty("messages").GetInt64()).ShouldBe([2L, 1L]);
        rooms[1].GetProperty("lastActivity").GetString().ShouldBe(last.Data.GetProperty("sentAt").GetString());
    }

    [Fact]
    public async Task RoomsOnAnEmptyDatabaseIsAnEmptyList()
    {
        var reply = await Chat("rooms");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Data.GetProperty("rooms").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task BadRoomUserAndTextAreAllReportedAsFieldErrorsIn422()
    {
        var reply = await Chat("send", new { user = "no spaces", room = "no/slashes" }, "   ");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Code.ShouldBe("validation_failed");
        var errors = reply.Data.GetProperty("errors");
        errors.GetProperty("context.user")[0].GetString()!.ShouldContain("not a valid name");
        errors.GetProperty("context.room")[0].GetString()!.ShouldContain("not a valid name");
        errors.GetProperty("data.text")[0].GetString()!.ShouldContain("blank");
    }

    [Fact]
    public async Task TextLongerThanChatMaxTextLengthIs422OnDataText()
    {
        var reply = await Chat("send", "ana", new string('y', 31));

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").GetProperty("data.text")[0].GetString()!.ShouldContain("at most 30 (Chat:MaxTextLength)");
    }

    [Fact]
    public async Task SendingWithoutASenderIs422OnContextUser()
    {
        var reply = await Chat("send", new { room = "lobby" }, "who am I?");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").GetProperty("context.user")[0].GetString()!.ShouldContain("is required");
    }

    [Fact]
    public async Task DataThatIsNeitherTextNorAnObjectWithTextIs422()
    {
        var reply = await Chat("send", "ana", 42);

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Message.ShouldContain("chat.send");
    }

    [Fact]
    public async Task HistoryRejectsALimitAbove500()
    {
        var reply = await Chat("history", "ana", new { limit = 501 });

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").TryGetProperty("data.limit", out _).ShouldBeTrue(reply.ToString());
    }

    [Fact]
    public async Task OneHundredAndTwentyConcurrentSendersLoseNothingAndGetUniqueOrderedIds()
    {
        const int writers = 120;
        using var events = _app.Services.GetRequiredService<IEventHub>().Subscribe(["chat:crowd"], writers + 10);

        var replies = await Task.WhenAll(Enumerable.Range(0, writers)
            .Select(i => Chat("send", new { user = $"u{i}", room = "crowd" }, $"message {i}")));

        replies.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var ids = replies.Select(r => r.Data.GetProperty("id").GetInt64()).ToArray();
        ids.Distinct().Count().ShouldBe(writers);
        var history = await Chat("history", new { room = "crowd" }, new { limit = 500 });
        var stored = history.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()).ToArray();
        stored.ShouldBe(ids.Order().ToArray());
        Texts(history).Order().ShouldBe(Enumerable.Range(0, writers).Select(i => $"message {i}").Order());
        var cursors = new List<long>();
        while (events.Reader.TryRead(out var e))
            cursors.Add(e.Cursor!.Value);
        cursors.ToArray().ShouldBe(stored, "events leave in commit (id) order");
    }

    [Fact]
    public async Task AMessageListingSeveralFieldErrorsReadsAsSentencesWithoutDoubledPunctuation()
    {
        var reply = await Chat("send", new { room = "lobby" }, " ");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Message.ShouldContain("context.user is required");
        reply.Message.ShouldContain("data.text is blank");
        reply.Message.ShouldNotContain(".;");
        reply.Message.ShouldNotContain("..");
        reply.Message.ShouldEndWith(".");
    }

    private static string[] Texts(EnvelopeReply reply) =>
        [.. reply.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()!)];
}

public sealed class ChatModelTestsOnSqlite() : ChatModelTests(TestStorage.Sqlite);

public sealed class ChatModelTestsOnPostgreSql() : ChatModelTests(TestStorage.PostgreSql);
