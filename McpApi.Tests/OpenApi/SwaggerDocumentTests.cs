using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.OpenApi;

/// <summary>The OpenAPI document shows what the server really answers and how the request really looks.</summary>
public sealed partial class SwaggerDocumentTests : IDisposable
{
    private readonly McpApiApplication _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<JsonElement> DocumentAsync() => await _app.CreateClient().GetJsonAsync("/swagger/v1/swagger.json");

    private static JsonElement PostMcp(JsonElement doc) => doc.GetProperty("paths").GetProperty("/mcp").GetProperty("post");

    private static JsonElement RequestExamples(JsonElement doc) =>
        PostMcp(doc).GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");

    private static JsonElement SuccessExamples(JsonElement doc) =>
        PostMcp(doc).GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("examples");

    [Fact]
    public async Task EveryRequestExampleHasASuccessEnvelopeExampleOfTheSameName()
    {
        var doc = await DocumentAsync();

        var requests = RequestExamples(doc).EnumerateObject().Select(e => e.Name).ToArray();
        var replies = SuccessExamples(doc).EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetProperty("value"));
        replies.Keys.ShouldBe(requests, ignoreOrder: true);
        foreach (var (name, reply) in replies)
        {
            reply.GetProperty("status").GetString().ShouldBe("success", name);
            reply.GetProperty("message").GetString().ShouldNotBe("string", name);
            reply.TryGetProperty("data", out _).ShouldBeTrue(name);
        }
    }

    /// <summary>The requests in an order that makes each succeed on an empty database (a second player joins before a move).</summary>
    private static readonly string[] Scenario =
    [
        "echo-echo", "seed-echo", "chat-send", "seed-chat", "chat-history", "chat-rooms",
        "notes-add", "notes-list", "notes-latest", "notes-summary_prompt", "notes-notebooks", "notes-delete",
        "state-set", "state-get", "state-list", "state-namespaces", "state-delete",
        "move-new", "move-join", "+bo-joins", "move-play", "move-get", "move-list",
    ];

    [Fact]
    public async Task TheSuccessExamplesAreWhatTheServerAnswersToTheRequestExamples()
    {
        var doc = await DocumentAsync();
        var requests = RequestExamples(doc);
        var replies = SuccessExamples(doc);
        var client = _app.CreateClient();
        Scenario.Where(s => !s.StartsWith('+')).ShouldBe(requests.EnumerateObject().Select(e => e.Name), ignoreOrder: true);

        foreach (var step in Scenario)
        {
            var body = step == "+bo-joins"
                ? """{"model":"move","action":"join","context":{"game":"g1","player":"bo"}}"""
                : requests.GetProperty(step).GetProperty("value").GetRawText();
            var reply = await client.PostRawAsync(body);
            reply.StatusCode.ShouldBe(HttpStatusCode.OK, $"{step}: {reply}");
            if (step.StartsWith('+'))
                continue;
            Normalized(reply.Body).ShouldBe(Normalized(replies.GetProperty(step).GetProperty("value")), step);
        }
    }

    private static string Normalized(JsonElement envelope) =>
        Timestamp().Replace(JsonNode.Parse(envelope.GetRawText())!.ToJsonString(), "\"<time>\"");

    [GeneratedRegex("\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z\"")]
    private static partial Regex Timestamp();

    [Fact]
    public async Task AnActionsDataSchemaIsDocumentedAsAJsonSchemaObjectWithoutJsonNodeInternals()
    {
        var doc = await DocumentAsync();

        var schemas = doc.GetProperty("components").GetProperty("schemas");
        schemas.TryGetProperty("JsonNode", out _).ShouldBeFalse();
        schemas.TryGetProperty("JsonNodeOptions", out _).ShouldBeFalse();
        var properties = schemas.GetProperty("ActionInfo").GetProperty("properties");
        var dataSchema = properties.GetProperty("dataSchema");
        dataSchema.GetProperty("type").GetString().ShouldBe("object");
        dataSchema.GetProperty("description").GetString()!.ShouldContain("JSON Schema");
        dataSchema.TryGetProperty("properties", out _).ShouldBeFalse("a free-form JSON Schema, not JsonNode's options/parent/root");
        properties.GetProperty("example").GetProperty("type").GetString().ShouldBe("object");
        doc.GetRawText().ShouldNotContain("JsonNode");
    }

    [Fact]
    public async Task TheEnvelopeRequestSchemaDescribesEachFieldAndAcceptsTheSeedsExtraFields()
    {
        var doc = await DocumentAsync();

        var envelope = doc.GetProperty("components").GetProperty("schemas").GetProperty("EnvelopeRequest");
        envelope.GetProperty("description").GetString()!.ShouldNotBeNullOrWhiteSpace();
        foreach (var field in new[] { "model", "action", "context", "data" })
            envelope.GetProperty("properties").GetProperty(field).GetProperty("description").GetString()!.ShouldNotBeNullOrWhiteSpace(field);
        if (envelope.TryGetProperty("additionalProperties", out var additional))
            additional.ValueKind.ShouldNotBe(JsonValueKind.False, "the seed-echo example sends 'parameters'");
        RequestExamples(doc).GetProperty("seed-echo").GetProperty("value").TryGetProperty("parameters", out _).ShouldBeTrue();
        var required = envelope.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(r => r.GetString()).ToArray() : [];
        required.ShouldBeEmpty("every field may be left out: no model is echo, no action is the model's default");
    }

    [Fact]
    public async Task BothHealthEndpointsListTheir503()
    {
        var doc = await DocumentAsync();

        foreach (var path in new[] { "/health", "/health/ready" })
        {
            var responses = doc.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("responses");
            responses.TryGetProperty("503", out var unavailable).ShouldBeTrue(path);
            unavailable.GetProperty("description").GetString()!.ShouldNotBe("Service Unavailable", path);
        }
    }

    [Fact]
    public async Task The404ExampleListsEveryKnownModel()
    {
        var doc = await DocumentAsync();
        var catalog = await _app.CreateClient().GetJsonAsync("/mcp/models");
        var names = catalog.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToArray();

        var example = PostMcp(doc).GetProperty("responses").GetProperty("404").GetProperty("content").GetProperty("application/json").GetProperty("example");
        var real = await _app.CreateClient().PostRawAsync("""{"model":"nope"}""");

        example.GetProperty("data").GetProperty("models").EnumerateArray().Select(m => m.GetString()).ShouldBe(names);
        example.GetProperty("message").GetString().ShouldBe(real.Message);
    }
}
