using System.Net;
using System.Text;
using System.Text.Json;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Envelopes;

public sealed class EnvelopeEndpointTests : IDisposable
{
    private readonly McpApiApplication _app = new() { Configure = services => services.AddModel<ProbeModel>() };
    private readonly HttpClient _client;

    public EnvelopeEndpointTests() => _client = _app.CreateClient();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task SeedRequestShapeIsEchoedExactlyAsTheFlaskServerDid()
    {
        const string seed = """{"action":"test","parameters":{"key1":"value1","key2":"value2"}}""";

        var reply = await _client.PostRawAsync(seed);

        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
        reply.ContentType.ShouldBe("application/json");
        reply.Body.GetRawText().ShouldBe(
            """{"status":"success","message":"MCP request processed successfully","data":{"echo":{"action":"test","parameters":{"key1":"value1","key2":"value2"}}}}""");
    }

    [Theory]
    [InlineData("""{"model":"echo","context":"user","data":"Hello, world!"}""", HttpStatusCode.OK)]
    [InlineData("""{"model":"nope"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"model":"echo","data":{"a":1,"a":2}}""", HttpStatusCode.BadRequest)]
    public async Task AnEnvelopeAnswerIsSentWithItsLengthNotChunked(string envelope, HttpStatusCode status)
    {
        // Kestrel, not the in-memory test server: the framing is the real server's.
        using var server = new RealtimeServer();
        using var client = server.CreateClient();

        using var response = await client.PostAsync("/mcp", new StringContent(envelope, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(status);
        response.Headers.TransferEncodingChunked.ShouldNotBe(true);
        var body = await response.Content.ReadAsByteArrayAsync();
        response.Content.Headers.ContentLength.ShouldBe(body.Length);
        JsonDocument.Parse(body).RootElement.GetProperty("status").GetString().ShouldBe(status == HttpStatusCode.OK ? "success" : "error");
    }

    [Fact]
    public async Task LargeAndSmallAnswersInTurnAreEachSentWholeWithTheirLength()
    {
        // Answers are serialized into a buffer the thread keeps for its next answer (up to 64 KB); a larger one is let go.
        using var server = new RealtimeServer();
        using var client = server.CreateClient();

        foreach (var size in new[] { 10, 600_000, 10, 70_000, 100 })
        {
            var text = new string('x', size);
            using var response = await client.PostAsync("/mcp", new StringContent(
                JsonSerializer.Serialize(new { model = "echo", data = text }), Encoding.UTF8, "application/json"));

            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.TransferEncodingChunked.ShouldNotBe(true);
            var body = await response.Content.ReadAsByteArrayAsync();
            response.Content.Headers.ContentLength.ShouldBe(body.Length);
            JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("echo").GetProperty("data").GetString().ShouldBe(text);
        }
    }

    [Fact]
    public async Task EchoModelReturnsTheWholeEnvelopeWithContextAndData()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "echo", context = new { user = "ana" }, data = new[] { 1, 2 } });

        reply.Status.ShouldBe("success");
        reply.Data.GetProperty("echo").GetProperty("context").GetProperty("user").GetString().ShouldBe("ana");
        reply.Data.GetProperty("echo").GetProperty("data").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task ContextStringOrObjectReachesTheHandlerParsed()
    {
        var asString = await _client.PostEnvelopeAsync(new { model = "probe", context = "bob", data = new { name = "x" } });
        var asObject = await _client.PostEnvelopeAsync(new { model = "probe", context = new { user = "ana", room = "lobby" }, data = new { name = "x" } });

        asString.Data.GetProperty("who").GetString().ShouldBe("bob");
        asObject.Data.GetProperty("who").GetString().ShouldBe("ana");
        asObject.Data.GetProperty("greeting").GetString().ShouldBe("Hello, x!");
    }

    [Fact]
    public async Task ModelNamesAndActionsAreCaseInsensitive()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "PROBE", action = "Greet", data = new { name = "x" } });

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
    }

    [Fact]
    public async Task PostingUnknownModelReturns404ListingKnownModels()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "nope", data = "x" });

        reply.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        reply.Status.ShouldBe("error");
        reply.Code.ShouldBe("unknown_model");
        reply.Message.ShouldContain("nope");
        reply.Message.ShouldContain("echo");
        reply.Data.GetProperty("models").EnumerateArray().Select(m => m.GetString()).ShouldContain("probe");
        reply.Data.GetProperty("traceId").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task PostingUnknownActionReturns404ListingThatModelsActions()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "probe", action = "fly" });

        reply.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        reply.Code.ShouldBe("unknown_action");
        reply.Message.ShouldContain("greet");
        reply.Data.GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ShouldBe(["greet", "explode", "conflict"]);
    }

    [Theory]
    [InlineData("{bad json", "malformed_json")]
    [InlineData("{\"model\":\"echo\",}", "malformed_json")]
    [InlineData("[1,2,3]", "envelope_not_object")]
    [InlineData("\"just a string\"", "envelope_not_object")]
    [InlineData("42", "envelope_not_object")]
    [InlineData("", "empty_body")]
    public async Task BadJsonBodiesGet400WithAClearCode(string body, string code)
    {
        var reply = await _client.PostRawAsync(body);

        reply.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        reply.Status.ShouldBe("error");
        reply.Code.ShouldBe(code);
        reply.Message.ShouldNotContain("Exception");
    }

    [Fact]
    public async Task ALoneSurrogateEscapeGets400NamingTheField()
    {
        var reply = await _client.PostRawAsync("""{"model":"probe","data":{"name":"ab\ud800"}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("malformed_json");
        reply.Message.ShouldContain("'data.name'");
        reply.Message.ShouldContain("surrogate");
    }

    [Fact]
    public async Task EscapedSurrogatePairsAreValidText()
    {
        var reply = await _client.PostRawAsync("""{"model":"probe","data":{"name":"\ud83d\ude00"}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Data.GetProperty("greeting").GetString().ShouldBe("Hello, \U0001F600!");
    }

    [Fact]
    public async Task NumbersBeyondTheSchemaLibrarysRangeGet422()
    {
        var reply = await _client.PostRawAsync("""{"model":"probe","data":{"name":"x","times":1e308}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Code.ShouldBe("validation_failed");
        reply.Data.GetProperty("errors").GetProperty("data")[0].GetString()!.ShouldContain("number");
    }

    [Fact]
    public async Task FieldsOfTheWrongTypeGet400NamingEachField()
    {
        var reply = await _client.PostRawAsync("""{"model":5,"action":[],"context":true,"id":{}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("invalid_envelope");
        var errors = reply.Data.GetProperty("errors");
        errors.GetProperty("model")[0].GetString()!.ShouldContain("string");
        errors.GetProperty("action")[0].GetString()!.ShouldContain("array");
        errors.GetProperty("context")[0].GetString()!.ShouldContain("boolean");
        errors.GetProperty("id")[0].GetString()!.ShouldContain("object");
    }

    [Fact]
    public async Task DataFailingTheActionSchemaGets422WithFieldErrors()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "probe", data = new { name = "", times = 0, extra = 1 } });

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Code.ShouldBe("validation_failed");
        var errors = reply.Data.GetProperty("errors");
        errors.TryGetProperty("data.name", out _).ShouldBeTrue(reply.ToString());
        errors.TryGetProperty("data.times", out _).ShouldBeTrue(reply.ToString());
        reply.Message.ShouldContain("probe.greet");
    }

    [Fact]
    public async Task MissingRequiredDataGets422SayingDataIsRequired()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "probe" });

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").GetProperty("data")[0].GetString()!.ShouldContain("required");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task WrongContentTypeGets415(string contentType)
    {
        var reply = await _client.PostRawAsync("""{"model":"echo"}""", contentType);

        reply.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        reply.Code.ShouldBe("unsupported_media_type");
        reply.Message.ShouldContain("application/json");
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("Application/JSON; charset=utf-8", true)]
    [InlineData(" application/json ;charset=\"utf-8\"", true)]
    [InlineData("application/vnd.api+json", true)]
    [InlineData("application/problem+JSON;q=1", true)]
    [InlineData("text/plain", false)]
    [InlineData("application/jsonx", false)]
    [InlineData("application/json x", false)]
    [InlineData("application/json, text/plain", false)]
    [InlineData("/json", false)]
    [InlineData("+json", false)]
    [InlineData("application/", false)]
    [InlineData("a/b/+json", false)]
    [InlineData("", false)]
    public void JsonContentTypesAreApplicationJsonOrAPlusJsonType(string contentType, bool json)
    {
        McpApi.Doors.Http.HttpBodyReader.IsJson(contentType).ShouldBe(json);
        if (!json)
            return;
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media).ShouldBeTrue("what ASP.NET Core's parser reads too");
        (media!.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)).ShouldBeTrue();
    }

    [Fact]
    public async Task MissingContentTypeGets415()
    {
        using var content = new ByteArrayContent("""{"model":"echo"}"""u8.ToArray());
        var reply = await EnvelopeClient.ReadAsync(await _client.PostAsync("/mcp", content));

        reply.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        reply.Code.ShouldBe("unsupported_media_type");
    }

    [Fact]
    public async Task JsonWithCharsetAndVendorTypesIsAccepted()
    {
        (await _client.PostRawAsync("""{"model":"echo"}""", "application/json; charset=utf-8")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _client.PostRawAsync("""{"model":"echo"}""", "application/vnd.mcpapi+json")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BodyOverTheLimitGets413()
    {
        var big = JsonSerializer.Serialize(new { data = new string('a', 1024 * 1024 + 10) });

        var reply = await _client.PostRawAsync(big);

        reply.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        reply.Code.ShouldBe("payload_too_large");
        reply.Message.ShouldContain("McpApi:MaxRequestBytes");
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimitGets413()
    {
        var big = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { data = new string('a', 1024 * 1024 + 10) }));
        using var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var reply = await EnvelopeClient.ReadAsync(await _client.SendAsync(request));

        reply.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        reply.Code.ShouldBe("payload_too_large");
    }

    [Fact]
    public async Task UnexpectedHandlerFailureGets500WithTraceIdAndNoStackTrace()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "probe", action = "explode" });

        reply.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        reply.Code.ShouldBe("internal_error");
        var traceId = reply.Data.GetProperty("traceId").GetString()!;
        reply.Message.ShouldContain(traceId);
        reply.Body.GetRawText().ShouldNotContain("secret");
        reply.Body.GetRawText().ShouldNotContain("Secret.cs");
        reply.Body.GetRawText().ShouldNotContain(" at ");
    }

    [Fact]
    public async Task DomainErrorsCarryTheirStatusAndExtraFacts()
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "probe", action = "conflict" });

        reply.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        reply.Code.ShouldBe("version_conflict");
        reply.Data.GetProperty("currentVersion").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task UnknownRouteGetsAnErrorEnvelopeNotAFrameworkPage()
    {
        var reply = await EnvelopeClient.ReadAsync(await _client.GetAsync("/nowhere"));

        reply.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        reply.Code.ShouldBe("not_found");
        reply.Message.ShouldContain("POST /mcp");
    }

    [Fact]
    public async Task WrongMethodGetsAnErrorEnvelope()
    {
        var reply = await EnvelopeClient.ReadAsync(await _client.PutAsync("/mcp", new StringContent("{}")));

        reply.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        reply.Code.ShouldBe("method_not_allowed");
    }
}
