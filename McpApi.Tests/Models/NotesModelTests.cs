using System.Net;
using System.Text.Json;
using McpApi.Events;
using McpApi.Models.Notes;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Models;

/// <summary>Runs on both storage providers: <see cref="NotesModelTestsOnSqlite"/> and <see cref="NotesModelTestsOnPostgreSql"/>.</summary>
public abstract class NotesModelTests : IDisposable
{
    private readonly McpApiApplication _app;
    private readonly HttpClient _client;

    protected NotesModelTests(TestStorage storage)
    {
        _app = new(storage);
        _app.Settings["Notes:MaxLength"] = "20";
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task<EnvelopeReply> Notes(string? action, object? context = null, object? data = null) =>
        _client.PostEnvelopeAsync(new { model = "notes", action, context, data });

    [Fact]
    public async Task AddingANoteReturnsItWithIdNotebookTextAndUtcTimestampAndAnnouncesIt()
    {
        using var events = _app.Services.GetRequiredService<IEventHub>().Subscribe(["notes:work"], 10);

        var reply = await Notes("add", "work", "Buy milk");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Status.ShouldBe("success");
        reply.Message.ShouldBe("Note 1 added to notebook 'work'.");
        reply.Data.GetProperty("id").GetInt64().ShouldBe(1);
        reply.Data.GetProperty("notebook").GetString().ShouldBe("work");
        reply.Data.GetProperty("text").GetString().ShouldBe("Buy milk");
        reply.Data.GetProperty("createdAt").GetString()!.ShouldEndWith("Z");
        reply.Data.GetProperty("createdAt").GetDateTime().ShouldBe(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        events.Reader.TryRead(out var added).ShouldBeTrue();
        added!.Type.ShouldBe("notes.added");
        added.Topic.ShouldBe("notes:work");
        added.Cursor.ShouldBe(1);
    }

    [Fact]
    public async Task AddIsTheDefaultActionAndDefaultIsTheDefaultNotebook()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "notes", data = "Call mom" });
        var viaObject = await Notes("latest", new { notebook = "default" });

        reply.Data.GetProperty("notebook").GetString().ShouldBe("default");
        viaObject.Data.GetProperty("text").GetString().ShouldBe("Call mom");
    }

    [Fact]
    public async Task ListReturnsNotesOldestFirstAndPagesWithNextAfter()
    {
        for (var i = 1; i <= 5; i++)
            await Notes("add", "pages", $"note {i}");
        await Notes("add", "other", "not mine");

        var first = await Notes("list", "pages", new { limit = 2 });
        var second = await Notes("list", "pages", new { limit = 2, after = first.Data.GetProperty("nextAfter").GetInt64() });
        var last = await Notes("list", "pages", new { limit = 2, after = second.Data.GetProperty("nextAfter").GetInt64() });
        var all = await Notes("list", "pages");

        Texts(first).ShouldBe(["note 1", "note 2"]);
        first.Data.GetProperty("notebook").GetString().ShouldBe("pages");
        Texts(second).ShouldBe(["note 3", "note 4"]);
        Texts(last).ShouldBe(["note 5"]);
        last.Data.GetProperty("nextAfter").ValueKind.ShouldBe(JsonValueKind.Null);
        Texts(all).ShouldBe(["note 1", "note 2", "note 3", "note 4", "note 5"]);
    }

    [Fact]
    public async Task LatestReturnsTheNewestNoteOrNullWithAMessageWhenEmpty()
    {
        await Notes("add", "recent", "older");
        await Notes("add", "recent", "newer");

        var latest = await Notes("latest", "recent");
        var empty = await Notes("latest", "empty");

        latest.Data.GetProperty("text").GetString().ShouldBe("newer");
        empty.StatusCode.ShouldBe(HttpStatusCode.OK);
        empty.Status.ShouldBe("success");
        empty.Message.ShouldBe("No notes yet in notebook 'empty'.");
        empty.Data.ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task DeleteRemovesTheNoteAndAMissingNoteIs404NoteNotFound()
    {
        var id = (await Notes("add", "trash", "temp")).Data.GetProperty("id").GetInt64();

        var deleted = await Notes("delete", "trash", new { id });
        var again = await Notes("delete", "trash", new { id });
        var list = await Notes("list", "trash");

        deleted.Data.GetRawText().ShouldBe($$"""{"deleted":{{id}}}""");
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        again.Code.ShouldBe("note_not_found");
        again.Message.ShouldContain($"no note {id}");
        Texts(list).ShouldBeEmpty();
    }

    [Fact]
    public async Task ANoteCannotBeDeletedThroughAnotherNotebook()
    {
        var id = (await Notes("add", "mine", "keep")).Data.GetProperty("id").GetInt64();

        var reply = await Notes("delete", "yours", new { id });

        reply.Code.ShouldBe("note_not_found");
        Texts(await Notes("list", "mine")).ShouldBe(["keep"]);
    }

    [Fact]
    public async Task SummaryPromptListsEveryNoteAsTheSeedsPromptDid()
    {
        var empty = await Notes("summary_prompt", "summary");
        await Notes("add", "summary", "Buy milk");
        await Notes("add", "summary", "Call mom");

        var reply = await Notes("summary_prompt", "summary");

        reply.Data.GetProperty("notebook").GetString().ShouldBe("summary");
        reply.Data.GetProperty("count").GetInt32().ShouldBe(2);
        reply.Data.GetProperty("prompt").GetString().ShouldBe("Summarize the current notes: Buy milk\nCall mom");
        empty.Data.GetProperty("count").GetInt32().ShouldBe(0);
        empty.Data.GetProperty("prompt").GetString().ShouldBe("There are no notes yet.");
    }

    [Fact]
    public async Task SummaryPromptTakesOnlyTheNewestNotesUpToNotesSummaryMaxNotes()
    {
        using var app = new McpApiApplication(_app.Storage);
        app.Settings["Notes:SummaryMaxNotes"] = "3";
        var client = app.CreateClient();
        foreach (var text in new[] { "one", "two", "three", "four", "five" })
            await client.PostEnvelopeAsync(new { model = "notes", action = "add", context = "big", data = text });

        var reply = await client.PostEnvelopeAsync(new { model = "notes", action = "summary_prompt", context = "big" });

        reply.Status.ShouldBe("success", reply.ToString());
        reply.Data.GetProperty("count").GetInt32().ShouldBe(3);
        reply.Data.GetProperty("prompt").GetString().ShouldBe("Summarize the current notes: three\nfour\nfive");
        reply.Message.ShouldContain("newest 3");
        reply.Message.ShouldContain("Notes:SummaryMaxNotes");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public void ASummaryMaxNotesOutsideItsRangeIsRejectedNamingTheSetting(int value)
    {
        var result = new NotesOptionsValidator().Validate(null, new NotesOptions { SummaryMaxNotes = value });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("Notes:SummaryMaxNotes");
    }

    [Fact]
    public async Task ANoteLongerThanNotesMaxLengthIs422NamingTheLimit()
    {
        var reply = await Notes("add", "work", new string('x', 21));

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Code.ShouldBe("validation_failed");
        reply.Message.ShouldContain("21 characters");
        reply.Message.ShouldContain("Notes:MaxLength");
        reply.Data.GetProperty("errors").GetProperty("data")[0].GetString()!.ShouldContain("at most 20");
    }

    [Theory]
    [InlineData("\"   \"", "blank")]
    [InlineData("\"\"", "at least 1")]
    [InlineData("42", "string")]
    [InlineData("null", "string")]
    public async Task ABlankOrNonTextNoteIs422(string data, string hint)
    {
        var reply = await _client.PostRawAsync($$"""{"model":"notes","action":"add","data":{{data}}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Code.ShouldBe("validation_failed");
        reply.Message.ShouldContain(hint, Case.Insensitive);
    }

    [Fact]
    public async Task AnInvalidNotebookNameIs422OnContextNotebook()
    {
        var reply = await Notes("add", "no spaces/please", "x");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").GetProperty("context.notebook")[0].GetString()!.ShouldContain("letters, digits");
    }

    [Theory]
    [InlineData("""{"id":0}""", "data.id")]
    [InlineData("""{}""", "data")]
    public async Task DeleteWithoutAValidIdIs422(string data, string field)
    {
        var reply = await _client.PostRawAsync($$"""{"model":"notes","action":"delete","data":{{data}}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(reply.ToString());
    }

    [Fact]
    public async Task AListLimitAbove500Is422()
    {
        var reply = await Notes("list", "work", new { limit = 501 });

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").TryGetProperty("data.limit", out _).ShouldBeTrue(reply.ToString());
    }

    [Fact]
    public void AnInvalidNotesMaxLengthIsRejectedWithTheSettingsNameAndStopsStartup()
    {
        var result = new NotesOptionsValidator().Validate(null, new NotesOptions { MaxLength = 0 });
        using var app = new McpApiApplication(_app.Storage);
        app.Settings["Notes:MaxLength"] = "0";

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("Notes:MaxLength");
        result.FailureMessage.ShouldContain("default 2000");
        Should.Throw<Exception>(() => app.CreateClient());
    }

    [Fact]
    public async Task NotebooksListsEachNotebookThatHasNotesInOrdinalOrderWithItsCountAndNewestNote()
    {
        (await Notes("notebooks")).Data.GetProperty("notebooks").GetArrayLength().ShouldBe(0);
        await Notes("add", "work", "1");
        var last = await Notes("add", "work", "2");
        var gone = await Notes("add", "Zed", "3");
        await Notes("add", "home", "4");
        await Notes("delete", "Zed", new { id = gone.Data.GetProperty("id").GetInt64() });

        var reply = await Notes("notebooks");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Message.ShouldBe("2 notebook(s) with notes.");
        var notebooks = reply.Data.GetProperty("notebooks").EnumerateArray().ToArray();
        notebooks.Select(n => n.GetProperty("notebook").GetString()).ShouldBe(["home", "work"]);
        notebooks.Select(n => n.GetProperty("notes").GetInt64()).ShouldBe([1L, 2L]);
        notebooks[1].GetProperty("lastAdded").GetString().ShouldBe(last.Data.GetProperty("createdAt").GetString());
    }

    private static string[] Texts(EnvelopeReply reply) =>
        [.. reply.Data.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()!)];
}

public sealed class NotesModelTestsOnSqlite() : NotesModelTests(TestStorage.Sqlite);

public sealed class NotesModelTestsOnPostgreSql() : NotesModelTests(TestStorage.PostgreSql);
