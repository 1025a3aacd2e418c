using System.Text.Json;
using McpApi.Tests.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpApi.Tests.Mcp;

/// <summary>The seed sticky-notes server's MCP names, plus state and chat as resources, mapped onto the models.</summary>
public sealed class SeedCompatibilityTests : IAsyncLifetime
{
    private readonly McpApiApplication _app = new();
    private McpClient _mcp = null!;

    public async Task InitializeAsync() => _mcp = await _app.ConnectAsync();

    public async Task DisposeAsync()
    {
        await _mcp.DisposeAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task TheSeedsToolsResourcesAndPromptAreListedByTheirOldNames()
    {
        var tools = await _mcp.ListToolsAsync(cancellationToken: TestContext.Timeout);
        var resources = await _mcp.ListResourcesAsync(cancellationToken: TestContext.Timeout);
        var templates = await _mcp.ListResourceTemplatesAsync(cancellationToken: TestContext.Timeout);
        var prompts = await _mcp.ListPromptsAsync(cancellationToken: TestContext.Timeout);

        var addNote = tools.Single(t => t.Name == "add_note").ProtocolTool;
        addNote.InputSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["message"]);
        tools.Single(t => t.Name == "read_notes").ProtocolTool.Annotations!.ReadOnlyHint.ShouldBe(true);
        resources.Select(r => r.Uri).ShouldBe(["notes://latest", "chat://rooms"], ignoreOrder: true);
        templates.Select(t => t.UriTemplate).ShouldBe(["notes://{notebook}/latest", "state://{namespace}/{key}", "chat://{room}/history"], ignoreOrder: true);
        var prompt = prompts.Single(p => p.Name == "note_summary_prompt").ProtocolPrompt;
        prompt.Arguments!.Single().Name.ShouldBe("notebook");
        prompt.Arguments!.Single().Required.ShouldNotBe(true);
    }

    [Fact]
    public async Task AddNoteThenReadNotesLatestAndTheSummaryPromptSeeTheNote()
    {
        var added = await _mcp.CallToolAsync("add_note", new Dictionary<string, object?> { ["message"] = "buy milk" }, cancellationToken: TestContext.Timeout);
        var read = await _mcp.CallToolAsync("read_notes", new Dictionary<string, object?>(), cancellationToken: TestContext.Timeout);
        var latest = await _mcp.ReadResourceAsync("notes://latest", cancellationToken: TestContext.Timeout);
        var prompt = await _mcp.GetPromptAsync("note_summary_prompt", cancellationToken: TestContext.Timeout);

        added.IsError.ShouldNotBe(true, string.Join(" ", added.Texts()));
        var note = added.Structured().GetProperty("data");
        note.GetProperty("text").GetString().ShouldBe("buy milk");
        note.TryGetProperty("id", out _).ShouldBeTrue();
        note.TryGetProperty("createdAt", out _).ShouldBeTrue();
        read.Structured().GetProperty("data").GetProperty("notes").EnumerateArray()
            .Select(n => n.GetProperty("text").GetString()).ShouldContain("buy milk");
        var latestNote = JsonDocument.Parse(((TextResourceContents)latest.Contents.Single()).Text).RootElement;
        latestNote.GetProperty("text").GetString().ShouldBe("buy milk");
        ((TextContentBlock)prompt.Messages.Single().Content).Text.ShouldContain("buy milk");
    }

    [Fact]
    public async Task TheNotebookTemplateReadsTheLatestNoteOfThatNotebook()
    {
        await _mcp.CallToolAsync("notes_add",
            new Dictionary<string, object?> { ["context"] = JsonSerializer.SerializeToElement(new { notebook = "work" }), ["data"] = "ship it" },
            cancellationToken: TestContext.Timeout);

        var latest = await _mcp.ReadResourceAsync("notes://work/latest", cancellationToken: TestContext.Timeout);

        var note = JsonDocument.Parse(((TextResourceContents)latest.Contents.Single()).Text).RootElement;
        note.GetProperty("text").GetString().ShouldBe("ship it");
        note.GetProperty("notebook").GetString().ShouldBe("work");
    }

    [Fact]
    public async Task StateEntriesAreResourcesAndAMissingKeyIsAResourceNotFoundError()
    {
        var set = await _mcp.CallToolAsync("state_set", new Dictionary<string, object?>
        {
            ["context"] = JsonSerializer.SerializeToElement(new { @namespace = "game" }),
            ["data"] = JsonSerializer.SerializeToElement(new { key = "score", value = 42 }),
        }, cancellationToken: TestContext.Timeout);
        set.IsError.ShouldNotBe(true, string.Join(" ", set.Texts()));

        var entry = await _mcp.ReadResourceAsync("state://game/score", cancellationToken: TestContext.Timeout);
        var missing = await Should.ThrowAsync<McpProtocolException>(() => _mcp.ReadResourceAsync("state://game/nothing", cancellationToken: TestContext.Timeout).AsTask());

        var value = JsonDocument.Parse(((TextResourceContents)entry.Contents.Single()).Text).RootElement;
        value.GetProperty("key").GetString().ShouldBe("score");
        value.GetProperty("value").GetInt32().ShouldBe(42);
        missing.ErrorCode.ShouldBe(McpErrorCode.ResourceNotFound);
    }

    [Fact]
    public async Task ChatRoomsAreResources()
    {
        var sent = await _mcp.CallToolAsync("chat_send", new Dictionary<string, object?>
        {
            ["context"] = JsonSerializer.SerializeToElement(new { room = "lobby", user = "ana" }),
            ["data"] = "hello from MCP",
        }, cancellationToken: TestContext.Timeout);
        sent.IsError.ShouldNotBe(true, string.Join(" ", sent.Texts()));

        var history = await _mcp.ReadResourceAsync("chat://lobby/history", cancellationToken: TestContext.Timeout);
        var rooms = await _mcp.ReadResourceAsync("chat://rooms", cancellationToken: TestContext.Timeout);

        var messages = JsonDocument.Parse(((TextResourceContents)history.Contents.Single()).Text).RootElement;
        messages.GetProperty("room").GetString().ShouldBe("lobby");
        messages.GetProperty("messages").GetRawText().ShouldContain("hello from MCP");
        JsonDocument.Parse(((TextResourceContents)rooms.Contents.Single()).Text).RootElement.GetProperty("rooms").EnumerateArray()
            .Select(r => r.GetProperty("room").GetString()).ShouldContain("lobby");
    }
}
