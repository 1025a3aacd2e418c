using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Mcp;

/// <summary>
/// The protocol's edges on <c>/mcp</c>: invalid params are -32602 naming what is wrong, malformed JSON -32700, batches a
/// clear error, a bad initialize starts no session, and the session's HTTP verbs answer with the status codes clients
/// rely on (404 for an unknown session, 405 for GET without one, 400 for an unsupported protocol version).
/// </summary>
public sealed class McpProtocolEdgeTests : IDisposable
{
    private readonly McpApiApplication _app = new();
    private readonly HttpClient _client;
    private string? _sessionId;

    public McpProtocolEdgeTests() => _client = _app.CreateClient();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{}}""", "'name' is required")]
    [InlineData("""{"jsonrpc":"2.0","id":5,"method":"tools/call"}""", "'name' is required")]
    [InlineData("""{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo_echo","arguments":"x"}}""", "'arguments' must be an object")]
    [InlineData("""{"jsonrpc":"2.0","id":5,"method":"resources/read","params":{}}""", "'uri' is required")]
    [InlineData("""{"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{}}""", "'name' is required")]
    [InlineData("""{"jsonrpc":"2.0","id":5,"method":"logging/setLevel","params":{"level":"loud"}}""", "'level' must be one of debug, info")]
    [InlineData("""{"jsonrpc":"2.0","id":5,"method":"tools/list","params":"x"}""", "params must be an object, not a string")]
    public async Task InvalidParamsAreMinus32602NamingWhatIsWrong(string body, string expected)
    {
        await InitializeAsync();

        using var response = await PostAsync(body);

        var error = await ErrorAsync(response);
        error.GetProperty("code").GetInt32().ShouldBe(-32602);
        error.GetProperty("message").GetString()!.ShouldContain(expected);
    }

    [Theory]
    [InlineData("notes://nowhere/else")]
    [InlineData("state://app/missing-key")]
    public async Task AnUnknownResourceIsMinus32002WithItsUriInTheErrorData(string uri)
    {
        await InitializeAsync();

        using var response = await PostAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 6, method = "resources/read", @params = new { uri } }));

        var error = await ErrorAsync(response);
        error.GetProperty("code").GetInt32().ShouldBe(-32002);
        error.GetProperty("data").GetProperty("uri").GetString().ShouldBe(uri);
    }

    [Theory]
    [InlineData("""{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":1}}""", "'clientInfo.version' is required")]
    [InlineData("""{"protocolVersion":"2025-11-25","capabilities":{}}""", "'clientInfo' is required")]
    [InlineData("\"x\"", "params must be an object, not a string")]
    public async Task AnInitializeWithInvalidParamsIsMinus32602AndStartsNoSession(string parameters, string expected)
    {
        using var response = await PostAsync($$"""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{parameters}}}""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.Contains("Mcp-Session-Id").ShouldBeFalse();
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        message.GetProperty("id").GetInt32().ShouldBe(1);
        message.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(-32602);
        message.GetProperty("error").GetProperty("message").GetString()!.ShouldContain(expected);
    }

    [Fact]
    public async Task MalformedJsonIsAParseError()
    {
        await InitializeAsync();

        using var response = await PostAsync("""{"jsonrpc":"2.0","id":7,""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        error.GetProperty("code").GetInt32().ShouldBe(-32700);
        error.GetProperty("message").GetString()!.ShouldContain("not valid JSON");
    }

    [Fact]
    public async Task ABatchGetsAClearErrorSayingToSendOneMessagePerPost()
    {
        await InitializeAsync();

        using var response = await PostAsync("""[{"jsonrpc":"2.0","id":8,"method":"ping"}]""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        error.GetProperty("code").GetInt32().ShouldBe(-32600);
        error.GetProperty("message").GetString()!.ShouldContain("one JSON-RPC message per POST");
    }

    [Fact]
    public async Task AProtocolVersionHeaderTheServerDoesNotSupportIs400ListingTheSupportedOnes()
    {
        await InitializeAsync();
        using var request = Request(HttpMethod.Post, """{"jsonrpc":"2.0","id":9,"method":"ping"}""", "1999-01-01");

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("2025-11-25");
        body.ShouldContain("1999-01-01");
    }

    [Fact]
    public async Task DeletingASessionEndsItAndDeletingItAgainIs404()
    {
        await InitializeAsync();

        using var first = await _client.SendAsync(Request(HttpMethod.Delete, null));
        using var second = await _client.SendAsync(Request(HttpMethod.Delete, null));

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await second.Content.ReadAsStringAsync()).ShouldContain("There is no session");
    }

    [Fact]
    public async Task DeleteWithoutASessionHeaderIs400()
    {
        using var response = await _client.SendAsync(Request(HttpMethod.Delete, null));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("Mcp-Session-Id");
    }

    [Fact]
    public async Task GetWithoutASessionIs405ForMcpClientsAndTheGuideForBrowsers()
    {
        using var mcp = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        mcp.Headers.Accept.ParseAdd("text/event-stream");
        using var browser = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        browser.Headers.Accept.ParseAdd("text/html");

        using var mcpResponse = await _client.SendAsync(mcp);
        using var browserResponse = await _client.SendAsync(browser);

        mcpResponse.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        mcpResponse.Content.Headers.Allow.ShouldContain("POST");
        browserResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        browserResponse.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
    }

    private async Task InitializeAsync()
    {
        using var response = await PostAsync(
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""");
        response.EnsureSuccessStatusCode();
        _sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = await PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
    }

    private Task<HttpResponseMessage> PostAsync(string body) => _client.SendAsync(Request(HttpMethod.Post, body));

    private HttpRequestMessage Request(HttpMethod method, string? body, string version = "2025-11-25")
    {
        var request = new HttpRequestMessage(method, "/mcp");
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", version);
        if (_sessionId is not null)
            request.Headers.Add("Mcp-Session-Id", _sessionId);
        return request;
    }

    /// <summary>The JSON-RPC error of a response sent as JSON or as SSE <c>message</c> events.</summary>
    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => l[6..]).First()
            : text;
        var message = JsonDocument.Parse(json).RootElement;
        message.TryGetProperty("error", out var error).ShouldBeTrue(json);
        return error.Clone();
    }
}
