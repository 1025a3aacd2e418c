using McpApi.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpApi.Tests.Mcp;

/// <summary><c>completion/complete</c> offers values from the data for the resource templates and the prompt argument.</summary>
public sealed class McpCompletionTests : IAsyncLifetime
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
    public async Task RoomsCompleteFromTheChatRoomsThatExist()
    {
        var http = _app.CreateClient();
        await http.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "ana", room = "lobby" }, data = "hi" });
        await http.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "ana", room = "library" }, data = "hi" });
        await http.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "ana", room = "kitchen" }, data = "hi" });

        _mcp.ServerCapabilities.Completions.ShouldNotBeNull();
        var result = await _mcp.CompleteAsync(new ResourceTemplateReference { Uri = "chat://{room}/history" }, "room", "l",
            cancellationToken: TestContext.Timeout);

        result.Completion.Values.ShouldBe(["library", "lobby"], ignoreOrder: true);
        result.Completion.Total.ShouldBe(2);
    }

    [Fact]
    public async Task KeysCompleteFromTheChosenNamespace()
    {
        var http = _app.CreateClient();
        await http.PostEnvelopeAsync(new { model = "state", action = "set", context = "app", data = new { key = "color", value = 1 } });
        await http.PostEnvelopeAsync(new { model = "state", action = "set", context = "app", data = new { key = "count", value = 2 } });
        await http.PostEnvelopeAsync(new { model = "state", action = "set", context = "other", data = new { key = "cup", value = 3 } });

        var result = await _mcp.CompleteAsync(new CompleteRequestParams
        {
            Ref = new ResourceTemplateReference { Uri = "state://{namespace}/{key}" },
            Argument = new Argument { Name = "key", Value = "co" },
            Context = new CompleteContext { Arguments = new Dictionary<string, string> { ["namespace"] = "app" } },
        }, TestContext.Timeout);

        result.Completion.Values.ShouldBe(["color", "count"], ignoreOrder: true);
    }

    [Fact]
    public async Task NotebooksCompleteFromTheNotebooksThatHaveNotesForTheTemplateAndThePromptArgument()
    {
        var http = _app.CreateClient();
        foreach (var notebook in new[] { "work", "world", "home" })
            await http.PostEnvelopeAsync(new { model = "notes", action = "add", context = notebook, data = "a note" });

        var template = await _mcp.CompleteAsync(new ResourceTemplateReference { Uri = "notes://{notebook}/latest" }, "notebook", "w",
            cancellationToken: TestContext.Timeout);
        var prompt = await _mcp.CompleteAsync(new PromptReference { Name = "note_summary_prompt" }, "notebook", "",
            cancellationToken: TestContext.Timeout);

        template.Completion.Values.ShouldBe(["work", "world"]);
        prompt.Completion.Values.ShouldBe(["home", "work", "world"]);
        prompt.Completion.Total.ShouldBe(3);
    }

    [Fact]
    public async Task NamespacesCompleteFromTheNamespacesThatHaveKeys()
    {
        var http = _app.CreateClient();
        foreach (var @namespace in new[] { "app", "apple", "other" })
            await http.PostEnvelopeAsync(new { model = "state", action = "set", context = @namespace, data = new { key = "k", value = 1 } });

        var result = await _mcp.CompleteAsync(new ResourceTemplateReference { Uri = "state://{namespace}/{key}" }, "namespace", "ap",
            cancellationToken: TestContext.Timeout);

        result.Completion.Values.ShouldBe(["app", "apple"]);
    }

    [Fact]
    public async Task ACallerGetsOnlyTheNotebooksItsScopesLetItRead()
    {
        using var app = TestKeys.ApiKeyApp();
        var http = app.CreateClient();
        foreach (var notebook in new[] { "work", "home" })
            await http.WithKey(TestKeys.Admin).PostEnvelopeAsync(new { model = "notes", action = "add", context = notebook, data = "a note" });
        await using var ana = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Ana)); // notes:read
        await using var bob = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Bob)); // notes:*:work

        var anaSees = await ana.CompleteAsync(new ResourceTemplateReference { Uri = "notes://{notebook}/latest" }, "notebook", "",
            cancellationToken: TestContext.Timeout);
        var bobSees = await bob.CompleteAsync(new ResourceTemplateReference { Uri = "notes://{notebook}/latest" }, "notebook", "",
            cancellationToken: TestContext.Timeout);

        anaSees.Completion.Values.ShouldBe(["home", "work"]);
        bobSees.Completion.Values.ShouldBe(["work"]);
    }
}
