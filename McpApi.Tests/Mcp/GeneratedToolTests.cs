using System.Text.Json;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace McpApi.Tests.Mcp;

/// <summary>Every model action is an MCP tool generated from the registry and dispatched with the envelope's rules.</summary>
public sealed class GeneratedToolTests : IAsyncLifetime
{
    private readonly McpApiApplication _app = new() { Configure = services => services.AddModel<ProbeModel>() };
    private McpClient _mcp = null!;

    public async Task InitializeAsync() => _mcp = await _app.ConnectAsync();

    public async Task DisposeAsync()
    {
        await _mcp.DisposeAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task ARegisteredModelAppearsAsOneToolPerActionWithNoExtraCode()
    {
        var tools = (await _mcp.ListToolsAsync(cancellationToken: TestContext.Timeout)).Select(t => t.Name).ToList();

        tools.ShouldContain("probe_greet");
        tools.ShouldContain("probe_explode");
        tools.ShouldContain("probe_conflict");
        tools.ShouldContain("echo_echo");
    }

    [Fact]
    public async Task ToolResultsWriteTimestampsAsUtcWithMilliseconds()
    {
        var result = await _mcp.CallToolAsync("notes_add", new Dictionary<string, object?> { ["context"] = "clock", ["data"] = "tick" },
            cancellationToken: TestContext.Timeout);

        result.IsError.ShouldNotBe(true);
        result.Structured().GetProperty("data").GetProperty("createdAt").GetString()!
            .ShouldMatch(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$");
    }

    [Fact]
    public async Task AGeneratedToolCarriesDescriptionSchemasAndAnnotationsFromTheAction()
    {
        var greet = (await _mcp.ListToolsAsync(cancellationToken: TestContext.Timeout)).Single(t => t.Name == "probe_greet").ProtocolTool;

        greet.Description.ShouldBe("Greets someone.");
        var properties = greet.InputSchema.GetProperty("properties");
        properties.GetProperty("data").GetProperty("required")[0].GetString().ShouldBe("name");
        properties.GetProperty("data").GetProperty("properties").GetProperty("times").GetProperty("minimum").GetInt32().ShouldBe(1);
        properties.GetProperty("context").GetProperty("type").GetString().ShouldBe("object");
        greet.InputSchema.GetProperty("required")[0].GetString().ShouldBe("data");
        greet.OutputSchema!.Value.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["status", "message", "data"]);
        greet.Title.ShouldBe("Greet (probe)");
        greet.Annotations!.OpenWorldHint.ShouldBe(false);

        var echo = (await _mcp.ListToolsAsync(cancellationToken: TestContext.Timeout)).Single(t => t.Name == "echo_echo").ProtocolTool;
        echo.Annotations!.ReadOnlyHint.ShouldBe(true);
        echo.Annotations.IdempotentHint.ShouldBe(true);
        echo.InputSchema.TryGetProperty("required", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task ASuccessfulCallReturnsTheEnvelopeAsStructuredContentAndTheSameJsonAsText()
    {
        var result = await CallAsync("probe_greet", new { user = "ana" }, new { name = "Bob" });

        result.IsError.ShouldNotBe(true);
        var structured = result.Structured();
        structured.GetProperty("status").GetString().ShouldBe("success");
        structured.GetProperty("data").GetProperty("greeting").GetString().ShouldBe("Hello, Bob!");
        structured.GetProperty("data").GetProperty("who").GetString().ShouldBe("ana");
        result.Texts().ShouldHaveSingleItem().ShouldBe(structured.GetRawText());
    }

    [Fact]
    public async Task DataBreakingTheActionSchemaIsAnIsErrorResultWithTheValidationMessage()
    {
        var result = await CallAsync("probe_greet", null, new { name = "", times = 0 });

        result.IsError.ShouldBe(true);
        result.Texts()[0].ShouldContain("`probe_greet`");
        var data = result.Structured().GetProperty("data");
        data.GetProperty("code").GetString().ShouldBe("validation_failed");
        data.GetProperty("errors").TryGetProperty("data.name", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task EachToolStatesExactlyTheContextItReadsWithRequiredKeysAndNoOthers()
    {
        var tools = (await _mcp.ListToolsAsync(cancellationToken: TestContext.Timeout)).ToDictionary(t => t.Name, t => t.ProtocolTool);

        var send = tools["chat_send"].InputSchema;
        var context = send.GetProperty("properties").GetProperty("context");
        context.GetProperty("type").GetString().ShouldBe("object");
        context.GetProperty("properties").EnumerateObject().Select(p => p.Name).ShouldBe(["user", "room"], ignoreOrder: true);
        context.GetProperty("properties").GetProperty("user").GetProperty("description").GetString().ShouldBe("The sender.");
        context.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["user"]);
        context.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();
        send.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["context", "data"], ignoreOrder: true);

        var play = tools["move_play"].InputSchema.GetProperty("properties").GetProperty("context");
        play.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["player"]);
        play.GetProperty("properties").TryGetProperty("game", out _).ShouldBeTrue();

        // An action that reads no context offers none.
        tools["move_list"].InputSchema.GetProperty("properties").TryGetProperty("context", out _).ShouldBeFalse();
        var state = tools["state_get"].InputSchema.GetProperty("properties").GetProperty("context");
        state.GetProperty("properties").EnumerateObject().Select(p => p.Name).ShouldBe(["namespace"]);
        state.TryGetProperty("required", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task AnUnknownContextKeyIsAToolErrorNamingTheKeysTheToolReads()
    {
        var result = await CallAsync("state_get", new { user = "ana" }, new { key = "k" });

        result.IsError.ShouldBe(true);
        result.Texts()[0].ShouldContain("`state_get`");
        result.Structured().GetProperty("data").GetProperty("errors").GetProperty("context.user")[0].GetString()!.ShouldContain("'namespace'");
    }

    [Fact]
    public async Task ContextSentToAToolThatReadsNoneIsAToolError()
    {
        var result = await CallAsync("move_list", new { user = "ana" }, null);

        result.IsError.ShouldBe(true);
        result.Texts()[0].ShouldContain("move_list reads no context");
    }

    [Fact]
    public async Task ToolOutputSchemasDescribeTheActionResultAndEveryStructuredContentFitsIt()
    {
        var tools = (await _mcp.ListToolsAsync(cancellationToken: TestContext.Timeout)).ToDictionary(t => t.Name, t => t.ProtocolTool);
        var send = tools["chat_send"].OutputSchema!.Value;
        var message = send.GetProperty("properties").GetProperty("data").GetProperty("anyOf")[0];
        message.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["id", "room", "user", "text", "sentAt"], ignoreOrder: true);
        message.GetProperty("properties").GetProperty("sentAt").GetProperty("format").GetString().ShouldBe("date-time");

        var sent = await CallAsync("chat_send", new { user = "ana" }, "hi");
        var failed = await CallAsync("chat_send", null, "hi");
        var game = await CallAsync("move_new", null, null);

        foreach (var (name, result) in new[] { ("chat_send", sent), ("chat_send", failed), ("move_new", game) })
        {
            var schema = Json.Schema.JsonSchema.FromText(tools[name].OutputSchema!.Value.GetRawText());
            var evaluation = schema.Evaluate(System.Text.Json.Nodes.JsonNode.Parse(result.Structured().GetRawText()), new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List });
            evaluation.IsValid.ShouldBeTrue($"{name}: {result.Structured().GetRawText()}");
        }
        failed.IsError.ShouldBe(true);
    }

    [Fact]
    public async Task ToolSchemasUseNoTypeArraysAndNoSchemaWithoutKeywords()
    {
        foreach (var tool in await _mcp.ListToolsAsync(cancellationToken: TestContext.Timeout))
        {
            var text = tool.ProtocolTool.InputSchema.GetRawText() + tool.ProtocolTool.OutputSchema?.GetRawText();
            text.ShouldNotContain("\"type\":[", customMessage: tool.Name);
            System.Text.RegularExpressions.Regex.IsMatch(text, "(?<!\"properties\"):\\{\\}").ShouldBeFalse(tool.Name); // {} accepts anything
        }
    }

    [Fact]
    public async Task AToolErrorNamesTheToolToCallNotAnEnvelope()
    {
        var result = await _mcp.CallToolAsync("move_get", new Dictionary<string, object?> { ["context"] = new { game = "nowhere" } },
            cancellationToken: TestContext.Timeout);

        result.IsError.ShouldBe(true);
        result.Texts()[0].ShouldBe("There is no game 'nowhere'. Create it with the tool `move_new` with data {\"id\":\"nowhere\"}; the tool `move_list` shows open games.");
        result.Structured().GetProperty("message").GetString().ShouldBe(result.Texts()[0]);
    }

    [Fact]
    public async Task MissingRequiredDataIsAnIsErrorResultNotAProtocolError()
    {
        var result = await _mcp.CallToolAsync("probe_greet", new Dictionary<string, object?>(), cancellationToken: TestContext.Timeout);

        result.IsError.ShouldBe(true);
        result.Texts()[0].ShouldContain("required");
    }

    [Fact]
    public async Task AnUnknownArgumentIsAnIsErrorResultNamingTheRealOnes()
    {
        var result = await _mcp.CallToolAsync("probe_greet", new Dictionary<string, object?> { ["name"] = "Bob" }, cancellationToken: TestContext.Timeout);

        result.IsError.ShouldBe(true);
        result.Texts()[0].ShouldContain("'data'");
    }

    [Fact]
    public async Task DomainErrorsKeepTheirCodeAndExtraFacts()
    {
        var result = await CallAsync("probe_conflict", null, null);

        result.IsError.ShouldBe(true);
        result.Texts()[0].ShouldBe("The version is 3, not 2.");
        result.Structured().GetProperty("data").GetProperty("currentVersion").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task AHandlerCrashIsAnIsErrorResultWithoutInternalDetails()
    {
        var result = await CallAsync("probe_explode", null, null);

        result.IsError.ShouldBe(true);
        result.Structured().GetProperty("data").GetProperty("code").GetString().ShouldBe("internal_error");
        string.Join(" ", result.Texts()).ShouldNotContain("Secret.cs");
    }

    [Fact]
    public async Task McpApiListsNoConformanceFixturesAndHasNoSwitchToTurnThemOn()
    {
        using var app = new McpApiApplication();
        app.Settings["Mcp:ConformanceFixtures"] = "true"; // the switch the fixtures once had: it does nothing now
        await using var mcp = await app.ConnectAsync();

        foreach (var client in new[] { _mcp, mcp })
        {
            var tools = (await client.ListToolsAsync(cancellationToken: TestContext.Timeout)).Select(t => t.Name).ToList();
            var resources = (await client.ListResourcesAsync(cancellationToken: TestContext.Timeout)).Select(r => r.Uri).ToList();

            tools.ShouldNotContain("test_simple_text");
            tools.ShouldNotContain("sdk_echo");
            resources.ShouldNotContain("test://static-text");
        }
    }

    private ValueTask<ModelContextProtocol.Protocol.CallToolResult> CallAsync(string tool, object? context, object? data)
    {
        var arguments = new Dictionary<string, object?>();
        if (context is not null)
            arguments["context"] = JsonSerializer.SerializeToElement(context);
        if (data is not null)
            arguments["data"] = JsonSerializer.SerializeToElement(data);
        return _mcp.CallToolAsync(tool, arguments, cancellationToken: TestContext.Timeout);
    }
}
