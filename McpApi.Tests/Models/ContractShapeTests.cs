using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Models;

/// <summary>
/// Pins the request shapes users rely on and the error envelopes they get, whatever declares the contracts:
/// plain strings where objects are also accepted, whole numbers written as <c>2.0</c>, error codes, fields and messages.
/// </summary>
public sealed class ContractShapeTests : IDisposable
{
    private const string NameRule = "use 1 to 64 letters, digits, '_', '.' or '-'.";

    private readonly McpApiApplication _app = new();
    private readonly HttpClient _client;

    public ContractShapeTests() => _client = _app.CreateClient();

    public void Dispose() => _app.Dispose();

    private async Task<EnvelopeReply> Ok(string body)
    {
        var reply = await _client.PostRawAsync(body);
        reply.StatusCode.ShouldBe(HttpStatusCode.OK, $"{body} -> {reply}");
        return reply;
    }

    [Fact]
    public async Task NotesTakeThePlainStringNoteAndThePlainStringOrObjectNotebook()
    {
        (await Ok("""{"model":"notes","context":"work","data":"Buy milk"}""")).Data.GetProperty("notebook").GetString().ShouldBe("work");
        (await Ok("""{"model":"notes","action":"add","context":{"notebook":"home"},"data":"Call mum"}""")).Data.GetProperty("notebook").GetString().ShouldBe("home");
        (await Ok("""{"model":"notes","action":"add","data":"No context"}""")).Data.GetProperty("notebook").GetString().ShouldBe("default");
        (await Ok("""{"model":"notes","action":"list","context":{"notebook":"work"}}""")).Data.GetProperty("notes").GetArrayLength().ShouldBe(1);
        (await Ok("""{"model":"notes","action":"latest","context":"home"}""")).Data.GetProperty("text").GetString().ShouldBe("Call mum");
    }

    [Fact]
    public async Task ChatTakesTheMessageAsTextOrObjectAndTheSenderAsStringOrObject()
    {
        var seed = await Ok("""{"model":"chat","context":"user","data":"Hello, world!"}""");
        seed.Data.GetProperty("user").GetString().ShouldBe("user");
        seed.Data.GetProperty("room").GetString().ShouldBe("lobby");
        var asObject = await Ok("""{"model":"chat","action":"send","context":{"user":"ana","room":"dev"},"data":{"text":"Hi devs"}}""");
        asObject.Data.GetProperty("user").GetString().ShouldBe("ana");
        asObject.Data.GetProperty("room").GetString().ShouldBe("dev");
        asObject.Data.GetProperty("text").GetString().ShouldBe("Hi devs");
        (await Ok("""{"model":"chat","action":"send","context":{"user":"bo"},"data":"default room"}""")).Data.GetProperty("room").GetString().ShouldBe("lobby");
        // A client that sends its sender with every chat call reads the default room's history.
        (await Ok("""{"model":"chat","action":"history","context":"ana"}""")).Data.GetProperty("room").GetString().ShouldBe("lobby");
        (await Ok("""{"model":"chat","action":"history","context":{"room":"dev"},"data":null}""")).Data.GetProperty("messages").GetArrayLength().ShouldBe(1);
        (await Ok("""{"model":"chat","action":"rooms"}""")).Data.GetProperty("rooms").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task StateTakesTheNamespaceAsStringOrObject()
    {
        await Ok("""{"model":"state","action":"set","context":"app","data":{"key":"k","value":{"a":[1,null]}}}""");
        (await Ok("""{"model":"state","action":"get","context":{"namespace":"app"},"data":{"key":"k"}}""")).Data.GetProperty("value").GetRawText().ShouldBe("""{"a":[1,null]}""");
        await Ok("""{"model":"state","action":"set","data":{"key":"n","value":null}}""");
        (await Ok("""{"model":"state","action":"get","context":"default","data":{"key":"n"}}""")).Data.GetProperty("value").GetRawText().ShouldBe("null");
    }

    [Fact]
    public async Task MoveTakesThePlayerAsAPlainStringInTheDefaultGameAndIgnoresContextWhereItReadsNone()
    {
        await Ok("""{"model":"move","action":"new","context":"ana","data":{"id":"default"}}""");
        (await Ok("""{"model":"move","action":"join","context":"ana"}""")).Data.GetProperty("players").GetProperty("X").GetString().ShouldBe("ana");
        await Ok("""{"model":"move","action":"join","context":{"player":"bo"}}""");
        (await Ok("""{"model":"move","action":"play","context":"ana","data":{"cell":4}}""")).Data.GetProperty("moves").GetInt32().ShouldBe(1);
        (await Ok("""{"model":"move","action":"get","context":"bo"}""")).Data.GetProperty("id").GetString().ShouldBe("default");
        await Ok("""{"model":"move","action":"list","context":"anyone"}""");
    }

    [Fact]
    public async Task WholeNumbersWrittenWithAFractionOrExponentAreIntegers()
    {
        await Ok("""{"model":"notes","action":"add","data":"one"}""");
        await Ok("""{"model":"notes","action":"add","data":"two"}""");
        var page = await Ok("""{"model":"notes","action":"list","data":{"limit":1.0,"after":0.0}}""");
        page.Data.GetProperty("notes").GetArrayLength().ShouldBe(1);
        page.Data.GetProperty("nextAfter").GetInt64().ShouldBe(1);
        (await Ok("""{"model":"notes","action":"delete","data":{"id":2.0}}""")).Data.GetProperty("deleted").GetInt64().ShouldBe(2);

        await Ok("""{"model":"chat","context":"ana","data":"hi"}""");
        (await Ok("""{"model":"chat","action":"history","data":{"limit":2.0,"after":0e0,"before":2e0}}""")).Data.GetProperty("messages").GetArrayLength().ShouldBe(1);

        await Ok("""{"model":"state","action":"set","data":{"key":"c","value":1,"ifVersion":0.0}}""");
        (await Ok("""{"model":"state","action":"set","data":{"key":"c","value":2,"ifVersion":1e0}}""")).Data.GetProperty("version").GetInt64().ShouldBe(2);
        (await Ok("""{"model":"state","action":"list","data":{"limit":1.0}}""")).Data.GetProperty("keys").GetArrayLength().ShouldBe(1);
        await Ok("""{"model":"state","action":"delete","data":{"key":"c","ifVersion":2.0}}""");

        await Ok("""{"model":"move","action":"new","data":{"id":"g2"}}""");
        await Ok("""{"model":"move","action":"join","context":{"game":"g2","player":"ana"}}""");
        await Ok("""{"model":"move","action":"join","context":{"game":"g2","player":"bo"}}""");
        (await Ok("""{"model":"move","action":"play","context":{"game":"g2","player":"ana"},"data":{"row":1.0,"col":1e0}}""")).Data.GetProperty("board")[4].GetString().ShouldBe("X");
        (await Ok("""{"model":"move","action":"play","context":{"game":"g2","player":"bo"},"data":{"cell":0.0}}""")).Data.GetProperty("board")[0].GetString().ShouldBe("O");
        (await Ok("""{"model":"move","action":"list","data":{"limit":1.0}}""")).Data.GetProperty("games").GetArrayLength().ShouldBe(1);
    }

    public static TheoryData<string, int, string, string> Errors => new()
    {
        {
            """{"model":"nope"}""", 404, "unknown_model",
            "Unknown model 'nope'. Known models: chat, echo, move, notes, state. GET /mcp/models describes them."
        },
        {
            """{"model":"chat","action":"nope"}""", 404, "unknown_action",
            "Model 'chat' has no action 'nope'. Its actions: send, history, rooms (default: send)."
        },
        {
            """{"model":"chat","action":"history","data":{"limit":0}}""", 422, "validation_failed",
            "The data does not fit chat.history: data.limit: 0 should be at least 1. See GET /mcp/models for its schema and an example."
        },
        {
            """{"model":"state","action":"set","data":{"key":"k"}}""", 422, "validation_failed",
            "The data does not fit state.set: data: Required properties [\"value\"] are not present. See GET /mcp/models for its schema and an example."
        },
        {
            """{"model":"move","action":"play","context":{"game":"g1","player":"ana"}}""", 422, "validation_failed",
            "The data does not fit move.play: data: is required: see the action's schema and example in GET /mcp/models. Value is \"null\" but should be \"object\". See GET /mcp/models for its schema and an example."
        },
        {
            """{"model":"move","action":"play","context":{"game":"g1","player":"ana"},"data":{"row":1}}""", 422, "validation_failed",
            "The data does not fit move.play: data: Required properties [\"cell\"] are not present Required properties [\"col\"] are not present. See GET /mcp/models for its schema and an example."
        },
        {
            """{"model":"chat","action":"send","context":"ana","data":{"nope":1}}""", 422, "validation_failed",
            "The data does not fit chat.send: data: Expected 1 matching subschema but found 0 Value is \"object\" but should be \"string\" Required properties [\"text\"] are not present; data.nope: All values fail against the false schema. See GET /mcp/models for its schema and an example."
        },
        {
            """{"model":"notes","action":"delete","data":{"id":77}}""", 404, "note_not_found",
            "Notebook 'default' has no note 77. The action 'list' shows its notes and their ids."
        },
        {
            """{"model":"notes","action":"add","data":" "}""", 422, "validation_failed",
            "The data is invalid: data: the note text is blank; send the note as a non-empty string, e.g. \"data\": \"Buy milk\"."
        },
        {
            """{"model":"state","action":"get","context":"app","data":{"key":"ghost"}}""", 404, "state_not_found",
            "Namespace 'app' has no key 'ghost'. The action 'set' creates it; the action 'list' shows the keys."
        },
        {
            """{"model":"state","action":"set","data":{"key":"k","value":1,"ifVersion":3}}""", 409, "version_conflict",
            "Key 'k' does not exist, so ifVersion 3 does not match: nothing was written. Use ifVersion 0 to create it."
        },
        {
            """{"model":"move","action":"get","context":{"game":"g9"}}""", 404, "game_not_found",
            "There is no game 'g9'. Create it with {\"model\":\"move\",\"action\":\"new\",\"data\":{\"id\":\"g9\"}}; the action 'list' shows open games."
        },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task ErrorEnvelopesKeepTheirStatusCodeAndMessage(string body, int status, string code, string message)
    {
        var reply = await _client.PostRawAsync(body);

        ((int)reply.StatusCode).ShouldBe(status, reply.ToString());
        reply.Status.ShouldBe("error");
        reply.Code.ShouldBe(code);
        reply.Message.ShouldBe(message);
    }

    public static TheoryData<string, string, string> ContextFieldErrors => new()
    {
        {
            """{"model":"chat","action":"send","context":{"room":"dev"},"data":"hi"}""", "context.user",
            "is required, e.g. \"context\": \"ana\" or {\"user\": \"ana\", \"room\": \"lobby\"}."
        },
        { """{"model":"chat","action":"send","context":{"user":"a b"},"data":"hi"}""", "context.user", "'a b' is not a valid name: " + NameRule },
        { """{"model":"chat","action":"history","context":{"room":"x/y"}}""", "context.room", "'x/y' is not a valid name: " + NameRule },
        { """{"model":"notes","action":"list","context":"bad notebook"}""", "context.notebook", "'bad notebook' is not a valid name: " + NameRule },
        { """{"model":"state","action":"list","context":{"namespace":"bad ns"}}""", "context.namespace", "'bad ns' is not a valid name: " + NameRule },
        { """{"model":"move","action":"join","context":{"game":"g1"}}""", "context.player", "is required, e.g. {\"game\": \"g1\", \"player\": \"ana\"}." },
        { """{"model":"move","action":"get","context":{"game":"bad game"}}""", "context.game", "'bad game' is not a valid name: " + NameRule },
        { """{"model":"chat","action":"send","context":"ana","data":"   "}""", "data.text", "is blank; send some text." },
    };

    [Theory]
    [MemberData(nameof(ContextFieldErrors))]
    public async Task ContextAndRuleErrorsAre422WithTheFieldAndItsMessage(string body, string field, string message)
    {
        var reply = await _client.PostRawAsync(body);

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Code.ShouldBe("validation_failed");
        reply.Data.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ShouldBe([message]);
        reply.Message.ShouldContain($"{field}");
        reply.Message.ShouldContain(message.TrimEnd('.'));
    }
}
