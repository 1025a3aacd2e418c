using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Robustness;

/// <summary>
/// Every action of every registered model, fed hostile data and contexts: each answer is a well-formed
/// envelope with a 2xx or 4xx status — never a 500 — and the stored data stays readable afterwards.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private static readonly string[] HostileData =
    [
        "null", "true", "-1", "0", "1e308", "-9223372036854775809", "\"\"", "\"   \"", $"\"{new string('x', 70_000)}\"",
        "[]", "[1,\"a\",null]", "{}", """{"key":123}""", """{"key":"","value":null}""", """{"key":"k","ifVersion":-3}""",
        """{"key":"k","ifVersion":1.5}""", """{"cell":"x"}""", """{"cell":-1}""", """{"row":3,"col":-1}""", """{"limit":1e10}""",
        """{"limit":0}""", """{"after":"abc"}""", """{"before":-5}""", """{"id":-5}""", """{"id":"1 OR 1=1"}""", """{"text":null}""",
        """{"prefix":"%_'\"--"}""", """{"id":"../../etc/passwd"}""", """{"a":{"b":{"c":{"d":[[[[]]]]}}}}""", "\"\\u0000\\ud800\"",
        // Whole numbers written as 2.0 pass JSON Schema's "integer"; numbers beyond 64 bits fit its decimals but no long.
        """{"after":1.0,"limit":5.0}""", """{"id":2.0}""", """{"cell":4.0}""", """{"row":1.0,"col":2e0}""",
        """{"key":"k","value":1,"ifVersion":0.0}""", """{"after":9223372036854775808}""", """{"before":1e19}""", """{"id":1e19}""",
        """{"key":"k","ifVersion":18446744073709551616}""",
    ];

    private static readonly string?[] HostileContexts =
    [
        null, "\"\"", "\"user\"", $"\"{new string('u', 300)}\"", "\"../..\"", "\"ana; DROP TABLE notes\"", "{}",
        """{"user":5,"room":[]}""", """{"room":"lobby","user":""}""", """{"game":{},"player":null}""", """{"namespace":"ns/../x","notebook":"n b"}""",
    ];

    private readonly McpApiApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task NoActionAnswersHostileInputWithA5xxOrABrokenEnvelope()
    {
        using var client = _app.CreateClient();
        var catalog = await client.GetJsonAsync("/mcp/models");
        var failures = new List<string>();
        var requests = 0;

        foreach (var model in catalog.GetProperty("models").EnumerateArray())
        {
            foreach (var action in model.GetProperty("actions").EnumerateArray())
            {
                foreach (var context in HostileContexts)
                {
                    foreach (var data in HostileData)
                    {
                        // Raw text, so values a serializer would refuse (a lone surrogate) reach the server as sent.
                        var envelope = $$"""{"model":"{{model.GetProperty("name").GetString()}}","action":"{{action.GetProperty("name").GetString()}}","data":{{data}}{{(context is null ? "" : $",\"context\":{context}")}}}""";
                        var reply = await client.PostRawAsync(envelope);
                        requests++;
                        if ((int)reply.StatusCode >= 500 || reply.Status is not ("success" or "error")
                            || (reply.Status == "error" && string.IsNullOrEmpty(reply.Code)))
                            failures.Add($"{envelope[..Math.Min(200, envelope.Length)]} -> {reply.ToString()[..Math.Min(300, reply.ToString().Length)]}");
                    }
                }
            }
        }

        requests.ShouldBeGreaterThan(1000);
        failures.ShouldBeEmpty();
        var readBack = await client.PostEnvelopeAsync(new { model = "chat", action = "rooms" });
        readBack.StatusCode.ShouldBe(HttpStatusCode.OK, readBack.ToString());
        var notes = await client.PostEnvelopeAsync(new { model = "notes", action = "list" });
        notes.StatusCode.ShouldBe(HttpStatusCode.OK, notes.ToString());
    }

    [Fact]
    public async Task WholeNumbersWrittenWithAFractionOrExponentAreReadAsTheIntegersTheyAre()
    {
        using var client = _app.CreateClient();
        for (var i = 1; i <= 3; i++)
            (await client.PostEnvelopeAsync(new { model = "notes", action = "add", data = $"note {i}" })).Status.ShouldBe("success");

        var page = await client.PostRawAsync("""{"model":"notes","action":"list","data":{"after":1.0,"limit":1e0}}""");
        page.StatusCode.ShouldBe(HttpStatusCode.OK, page.ToString());
        page.Data.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()).ShouldBe([2L]);
        page.Data.GetProperty("nextAfter").GetInt64().ShouldBe(2);

        var deleted = await client.PostRawAsync("""{"model":"notes","action":"delete","data":{"id":3.0}}""");
        deleted.StatusCode.ShouldBe(HttpStatusCode.OK, deleted.ToString());
        deleted.Data.GetProperty("deleted").GetInt64().ShouldBe(3);

        var created = await client.PostRawAsync("""{"model":"state","action":"set","data":{"key":"k","value":1,"ifVersion":0.0}}""");
        created.StatusCode.ShouldBe(HttpStatusCode.OK, created.ToString());
        created.Data.GetProperty("version").GetInt64().ShouldBe(1);
    }

    [Theory]
    [InlineData("notes", "list", """{"after":9223372036854775808}""", "data.after")]
    [InlineData("notes", "delete", """{"id":1e19}""", "data.id")]
    [InlineData("chat", "history", """{"before":1e19}""", "data.before")]
    [InlineData("state", "set", """{"key":"k","value":1,"ifVersion":18446744073709551616}""", "data.ifVersion")]
    public async Task IntegersBeyondSixtyFourBitsAreA422NamingTheField(string model, string action, string data, string field)
    {
        using var client = _app.CreateClient();

        var reply = await client.PostRawAsync($$"""{"model":"{{model}}","action":"{{action}}","data":{{data}}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Code.ShouldBe("validation_failed");
        reply.Data.GetProperty("errors").GetProperty(field)[0].GetString()!.ShouldContain("is not an integer from");
    }

    [Theory]
    [InlineData("{\"\u00C3\":1}")]
    [InlineData("{\"model\":\"chat\",\"context\":{\"user\":\"a\u00C3\",\"room\":\"lobby\"},\"data\":\"hi\"}")]
    [InlineData("{\"model\":\"echo\",\"data\":\"\u00FF\u00FE\"}")]
    public async Task BodyThatIsNotUtf8IsA400MalformedJsonNotA500(string latin1)
    {
        using var client = _app.CreateClient();
        // Latin-1 writes each char below 256 as that one byte: 0xC3 and 0xFF are not UTF-8 on their own.
        using var content = new ByteArrayContent(System.Text.Encoding.Latin1.GetBytes(latin1));
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync("/mcp", content);

        var reply = await EnvelopeClient.ReadAsync(response);
        reply.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("malformed_json");
        reply.Message.ShouldContain("not valid UTF-8");
    }
}
