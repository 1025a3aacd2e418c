using System.Net;
using System.Text;
using McpApi.Auth;
using McpApi.Doors.Mcp;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;

namespace McpApi.Tests.Auth;

/// <summary>MCP over Streamable HTTP with <c>Auth:Mode=ApiKey</c>: the same credential and scopes as the envelope, JSON-RPC errors.</summary>
public sealed class McpAuthTests
{
    private const string Initialize = """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
        """;

    [Theory]
    [InlineData(null, "This server requires a credential")]
    [InlineData("not-a-key", "API key was refused")]
    public async Task WithoutAnAcceptedKeyMcpIs401WithAChallengeAndAJsonRpcError(string? key, string message)
    {
        using var app = TestKeys.ApiKeyApp();
        var client = app.CreateClient();
        if (key is not null)
            client.WithKey(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        body.GetProperty("jsonrpc").GetString().ShouldBe("2.0");
        body.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(-32001);
        body.GetProperty("error").GetProperty("message").GetString()!.ShouldContain(message);
    }

    [Fact]
    public async Task ToolsListShowsOnlyTheToolsTheCallersScopesAllow()
    {
        using var app = TestKeys.ApiKeyApp();
        await using var ana = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Ana)); // chat:*, notes:read
        await using var admin = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Admin));

        var anaTools = (await ana.ListToolsAsync(cancellationToken: TestContext.Timeout)).Select(t => t.Name).ToList();
        var adminTools = (await admin.ListToolsAsync(cancellationToken: TestContext.Timeout)).Select(t => t.Name).ToList();

        anaTools.ShouldBe(["notes_list", "notes_latest", "notes_summary_prompt", "notes_notebooks", "chat_send", "chat_history", "chat_rooms", "read_notes"], ignoreOrder: true);
        adminTools.ShouldContain("state_set");
        adminTools.ShouldContain("add_note");
        adminTools.Count.ShouldBeGreaterThan(anaTools.Count);
    }

    [Fact]
    public async Task CallingAToolWithoutItsScopeIsAJsonRpcErrorNamingTheScopeAndWritesNothing()
    {
        using var app = TestKeys.ApiKeyApp();
        await using var ana = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Ana));

        var error = await Should.ThrowAsync<McpProtocolException>(() => ana.CallToolAsync("notes_add",
            new Dictionary<string, object?> { ["data"] = "sneaky" }, cancellationToken: TestContext.Timeout).AsTask());
        var seed = await Should.ThrowAsync<McpProtocolException>(() => ana.CallToolAsync("add_note",
            new Dictionary<string, object?> { ["message"] = "sneaky" }, cancellationToken: TestContext.Timeout).AsTask());

        ((int)error.ErrorCode).ShouldBe(-32003);
        error.Message.ShouldContain("'notes:add'");
        ((int)seed.ErrorCode).ShouldBe(-32003);
        var list = await app.CreateClient().WithKey(TestKeys.Admin).PostEnvelopeAsync(new { model = "notes", action = "list" });
        list.Data.GetProperty("notes").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task AToolCallWithTheScopeRunsAsTheCaller()
    {
        using var app = TestKeys.ApiKeyApp();
        await using var ana = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Ana));

        var sent = await ana.CallToolAsync("chat_send", new Dictionary<string, object?> { ["context"] = new { room = "lobby" }, ["data"] = "hello from MCP" },
            cancellationToken: TestContext.Timeout);
        var forged = await Should.ThrowAsync<McpProtocolException>(() => ana.CallToolAsync("chat_send",
            new Dictionary<string, object?> { ["context"] = new { user = "bob" }, ["data"] = "as bob" }, cancellationToken: TestContext.Timeout).AsTask());

        sent.IsError.ShouldNotBe(true, string.Join(" ", sent.Texts()));
        sent.Structured().GetProperty("data").GetProperty("user").GetString().ShouldBe("ana");
        forged.Message.ShouldContain("act-as");
    }

    [Fact]
    public async Task ResourcesTemplatesAndPromptsAreListedOnlyToCallersWhoMayReadThem()
    {
        using var app = TestKeys.ApiKeyApp();
        await using var ana = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Ana)); // chat:*, notes:read
        await using var bob = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Bob)); // move:*, notes:*:work
        await using var bridge = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Bridge)); // chat:send, act-as
        await using var admin = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Admin));

        async Task<(string[] Resources, string[] Templates, string[] Prompts)> Listed(ModelContextProtocol.Client.McpClient client) => (
            [.. (await client.ListResourcesAsync(cancellationToken: TestContext.Timeout)).Select(r => r.Uri)],
            [.. (await client.ListResourceTemplatesAsync(cancellationToken: TestContext.Timeout)).Select(t => t.UriTemplate)],
            [.. (await client.ListPromptsAsync(cancellationToken: TestContext.Timeout)).Select(p => p.Name)]);

        var (anaResources, anaTemplates, anaPrompts) = await Listed(ana);
        var (bobResources, bobTemplates, bobPrompts) = await Listed(bob);
        var (bridgeResources, bridgeTemplates, bridgePrompts) = await Listed(bridge);
        var (adminResources, adminTemplates, adminPrompts) = await Listed(admin);

        anaResources.ShouldBe(["notes://latest", "chat://rooms"], ignoreOrder: true);
        anaTemplates.ShouldBe(["notes://{notebook}/latest", "chat://{room}/history"], ignoreOrder: true);
        anaPrompts.ShouldBe(["note_summary_prompt"]);
        bobResources.ShouldBeEmpty(); // notes://latest reads notebook 'default'; bob's notes scope is notebook 'work' only
        bobTemplates.ShouldBe(["notes://{notebook}/latest"]);
        bobPrompts.ShouldBe(["note_summary_prompt"]);
        bridgeResources.ShouldBeEmpty();
        bridgeTemplates.ShouldBeEmpty();
        bridgePrompts.ShouldBeEmpty();
        adminResources.Length.ShouldBe(2);
        adminTemplates.Length.ShouldBe(3);
        adminPrompts.ShouldBe(["note_summary_prompt"]);
    }

    [Fact]
    public async Task ReadingAResourceOrPromptWithoutItsScopeIsAJsonRpcErrorNamingTheScope()
    {
        using var app = TestKeys.ApiKeyApp();
        await using var ana = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Ana)); // chat:*, notes:read
        await using var bob = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Bob)); // move:*, notes:*:work

        var state = await Should.ThrowAsync<McpProtocolException>(() => ana.ReadResourceAsync("state://team/score", cancellationToken: TestContext.Timeout).AsTask());
        var latest = await Should.ThrowAsync<McpProtocolException>(() => bob.ReadResourceAsync("notes://latest", cancellationToken: TestContext.Timeout).AsTask());
        var prompt = await Should.ThrowAsync<McpProtocolException>(() => bob.GetPromptAsync("note_summary_prompt", cancellationToken: TestContext.Timeout).AsTask());
        var work = await bob.ReadResourceAsync("notes://work/latest", cancellationToken: TestContext.Timeout);

        ((int)state.ErrorCode).ShouldBe(-32003);
        state.Message.ShouldContain("'state:get'"); // ana holds no state scope at all
        ((int)latest.ErrorCode).ShouldBe(-32003);
        latest.Message.ShouldContain("'notes:latest:default'");
        ((int)prompt.ErrorCode).ShouldBe(-32003);
        prompt.Message.ShouldContain("'notes:summary_prompt:default'");
        work.Contents.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task SubscribingToAResourceNeedsTheScopeToReadIt()
    {
        using var app = TestKeys.ApiKeyApp();
        // resources/subscribe is a session's method (2025-11-25); 2026-07-28's subscriptions/listen grants only what MayFollow allows.
        await using var ana = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Ana), "2025-11-25"); // chat:*, notes:read
        await using var bob = await McpClients.ConnectAsync(app.CreateClient().WithKey(TestKeys.Bob), "2025-11-25"); // move:*, notes:*:work

        var state = await Should.ThrowAsync<McpProtocolException>(() => ana.SubscribeToResourceAsync("state://team/score", cancellationToken: TestContext.Timeout));
        var latest = await Should.ThrowAsync<McpProtocolException>(() => bob.SubscribeToResourceAsync("notes://latest", cancellationToken: TestContext.Timeout));

        ((int)state.ErrorCode).ShouldBe(-32003);
        state.Message.ShouldContain("state:get:team");
        ((int)latest.ErrorCode).ShouldBe(-32003);
        latest.Message.ShouldContain("notes:latest:default");
        // What they may read, they may follow.
        await bob.SubscribeToResourceAsync("notes://work/latest", cancellationToken: TestContext.Timeout);
        await ana.SubscribeToResourceAsync("chat://lobby/history", cancellationToken: TestContext.Timeout);
    }

    [Theory]
    [InlineData("notes://work/latest", true)]
    [InlineData("notes://latest", false)]
    [InlineData("chat://lobby/history", false)]
    [InlineData("chat://rooms", false)]
    [InlineData("state://team/score", false)]
    public void ASubscriptionIsGrantedOnlyForWhatTheCallerMayRead(string uri, bool granted)
    {
        using var app = TestKeys.ApiKeyApp();
        var primitives = app.Services.GetRequiredService<McpPrimitiveSet>();
        var bob = new CallerIdentity("bob", ScopeSet.Parse(["move:*", "notes:*:work"], errors: []));
        var topic = McpResourceSubscriptions.TopicOf(uri).ShouldNotBeNull();

        McpResourceSubscriptions.MayFollow(primitives, bob, uri, topic).ShouldBe(granted);
        McpResourceSubscriptions.MayFollow(primitives, null, uri, topic).ShouldBeTrue("anyone, with authentication off");
    }

    [Theory]
    [InlineData("chat://rooms", "chat:history:lobby", false)]
    [InlineData("chat://rooms", "chat:rooms", true)]
    [InlineData("chat://lobby/history", "chat:history:lobby", true)]
    [InlineData("chat://lobby/history", "chat:rooms", false)]
    [InlineData("notes://latest", "notes:latest:default", true)]
    [InlineData("state://team/score", "state:get:team", true)]
    [InlineData("state://team/score", "state:get:other", false)]
    public void FollowingAResourceNeedsTheActionItsListingShows(string uri, string scope, bool granted)
    {
        using var app = TestKeys.ApiKeyApp();
        var primitives = app.Services.GetRequiredService<McpPrimitiveSet>();
        var caller = new CallerIdentity("carol", ScopeSet.Parse([scope], errors: []));

        McpResourceSubscriptions.MayFollow(primitives, caller, uri, McpResourceSubscriptions.TopicOf(uri)!).ShouldBe(granted);
    }
}
