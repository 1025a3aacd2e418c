using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpApi.Dispatching;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Models;

/// <summary>Each action's context, data and result are C# types; validation and every schema come from them.</summary>
public sealed class TypedContractTests : IDisposable
{
    private readonly McpApiApplication _app = new();
    private readonly HttpClient _client;

    public TypedContractTests() => _client = _app.CreateClient();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("""{"model":"chat","action":"send","context":{"user":"ana","colour":"red"},"data":"hi"}""", "context.colour", "is not read by chat.send; its context keys are 'user', 'room'.")]
    [InlineData("""{"model":"notes","action":"add","context":{"notbook":"work"},"data":"x"}""", "context.notbook", "is not read by notes.add; its context keys are 'notebook'.")]
    [InlineData("""{"model":"move","action":"play","context":{"game":"g1","player":"ana","seat":"X"},"data":{"cell":1}}""", "context.seat", "is not read by move.play; its context keys are 'player', 'game'.")]
    [InlineData("""{"model":"state","action":"get","context":{"namespace":true},"data":{"key":"k"}}""", "context.namespace", "must be a string, not a boolean.")]
    public async Task AnUnknownContextKeyOrAValueThatIsNoTextIsA422NamingIt(string body, string field, string message)
    {
        var reply = await _client.PostRawAsync(body);

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Code.ShouldBe("validation_failed");
        reply.Data.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ShouldBe([message]);
    }

    [Fact]
    public async Task ActionsThatReadNoContextIgnoreWhateverContextIsSent()
    {
        var reply = await _client.PostRawAsync("""{"model":"chat","action":"rooms","context":{"user":"ana","anything":1}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
    }

    [Fact]
    public async Task ANoteCanAlsoBeSentAsAnObjectWithText()
    {
        var reply = await _client.PostRawAsync("""{"model":"notes","action":"add","data":{"text":"Buy milk"}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Data.GetProperty("text").GetString().ShouldBe("Buy milk");
    }

    [Fact]
    public async Task TheCatalogListsEachActionsContextAndResultSchemaGeneratedFromItsTypes()
    {
        var catalog = await _client.GetJsonAsync("/mcp/models");
        JsonElement Action(string model, string action) => catalog.GetProperty("models").EnumerateArray()
            .Single(m => m.GetProperty("name").GetString() == model).GetProperty("actions").EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == action);

        var send = Action("chat", "send");
        var context = send.GetProperty("contextSchema");
        context.GetProperty("type").EnumerateArray().Select(t => t.GetString()).ShouldBe(["string", "object"]);
        context.GetProperty("required").EnumerateArray().Select(t => t.GetString()).ShouldBe(["user"]);
        context.GetProperty("properties").GetProperty("room").GetProperty("pattern").GetString().ShouldBe(NameAttribute.NamePattern);
        context.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();
        send.GetProperty("resultSchema").GetProperty("properties").EnumerateObject().Select(p => p.Name)
            .ShouldBe(["id", "room", "user", "text", "sentAt"], ignoreOrder: true);

        var history = Action("chat", "history").GetProperty("dataSchema");
        history.GetProperty("type").EnumerateArray().Select(t => t.GetString()).ShouldBe(["object", "null"]);
        var limit = history.GetProperty("properties").GetProperty("limit");
        (limit.GetProperty("minimum").GetInt32(), limit.GetProperty("maximum").GetInt32(), limit.GetProperty("default").GetInt32()).ShouldBe((1, 500, 50));
        history.GetProperty("properties").GetProperty("before").GetProperty("type").GetString().ShouldBe("integer");

        var set = Action("state", "set").GetProperty("dataSchema");
        set.GetProperty("required").EnumerateArray().Select(t => t.GetString()).ShouldBe(["key", "value"]);
        set.GetProperty("properties").GetProperty("value").GetProperty("description").GetString().ShouldBe("Any JSON value.");

        Action("move", "play").GetProperty("dataSchema").GetProperty("anyOf").GetArrayLength().ShouldBe(2);
        Action("move", "list").GetProperty("contextSchema").GetProperty("description").GetString()!.ShouldContain("reads no context");
    }

    [Description("A test record.")]
    [PlainString(nameof(Text))]
    private sealed record Sample(
        [MinLength(2), MaxLength(5), RegularExpression("^[a-z]+$"), Description("Some text.")] string Text,
        [Range(1, 9)] int Count = 3,
        [MinLength(1)] string[]? Tags = null);

    [Fact]
    public void TheSchemaTransformTurnsAttributesIntoKeywords()
    {
        var schema = ActionSchemas.Data(typeof(Sample));

        schema["description"]!.GetValue<string>().ShouldBe("A test record.");
        var (text, plain) = (schema["oneOf"]![1]!["properties"]!["text"]!, schema["oneOf"]![0]!);
        JsonNode.DeepEquals(text, plain).ShouldBeTrue("the plain string has the property's schema");
        text["minLength"]!.GetValue<int>().ShouldBe(2);
        text["maxLength"]!.GetValue<int>().ShouldBe(5);
        text["pattern"]!.GetValue<string>().ShouldBe("^[a-z]+$");
        text["description"]!.GetValue<string>().ShouldBe("Some text.");
        var count = schema["oneOf"]![1]!["properties"]!["count"]!;
        (count["minimum"]!.GetValue<int>(), count["maximum"]!.GetValue<int>(), count["default"]!.GetValue<int>()).ShouldBe((1, 9, 3));
        schema["oneOf"]![1]!["properties"]!["tags"]!["minItems"]!.GetValue<int>().ShouldBe(1);
        schema["oneOf"]![1]!["properties"]!["tags"]!["type"]!.GetValue<string>().ShouldBe("array", "optional means absent, not null");
    }
}
