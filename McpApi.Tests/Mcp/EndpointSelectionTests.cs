using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Mcp;

/// <summary>One path, two protocols: which requests reach the envelope and which the MCP SDK.</summary>
public sealed class EndpointSelectionTests : IDisposable
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""";

    private readonly McpApiApplication _app = new();
    private readonly HttpClient _client;

    public EndpointSelectionTests() => _client = _app.CreateClient();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("application/json")]
    public async Task AnEnvelopeWithCurlsHeadersReachesTheEnvelopeEndpoint(string? accept)
    {
        var response = await PostAsync("""{"model":"echo","data":"hi"}""", accept);

        var reply = await EnvelopeClient.ReadAsync(response);
        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
        reply.Status.ShouldBe("success");
        reply.Data.GetProperty("echo").GetProperty("data").GetString().ShouldBe("hi");
    }

    [Theory]
    [InlineData("[1,2,3]", "envelope_not_object")]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""", "envelope_not_object")]
    [InlineData("{not json", "malformed_json")]
    [InlineData("""{"model":"echo","data":{"jsonrpc":"2.0"}}""", null)]
    public async Task NonJsonRpcBodiesFromCurlGetTheEnvelopeAnswer(string body, string? code)
    {
        var reply = await EnvelopeClient.ReadAsync(await PostAsync(body, "*/*"));

        reply.Body.TryGetProperty("jsonrpc", out _).ShouldBeFalse(reply.ToString());
        reply.Body.TryGetProperty("status", out _).ShouldBeTrue(reply.ToString());
        reply.Code.ShouldBe(code);
    }

    [Fact]
    public async Task AJsonRpcBodyReachesMcpEvenWithCurlsAcceptHeader()
    {
        var response = await PostAsync(Initialize, "*/*");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Contains("Mcp-Session-Id").ShouldBeTrue();
        (await JsonRpcResultAsync(response)).GetProperty("serverInfo").GetProperty("name").GetString().ShouldBe("McpApi");
    }

    [Fact]
    public async Task AnAcceptHeaderListingEventStreamSelectsMcpWithoutReadingTheBody()
    {
        var response = await PostAsync(Initialize, "application/json, text/event-stream");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await JsonRpcResultAsync(response)).GetProperty("protocolVersion").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task AnEnvelopeSentWithMcpsAcceptHeaderGetsAJsonRpcError()
    {
        var response = await PostAsync("""{"model":"echo","data":"hi"}""", "application/json, text/event-stream");

        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("\"jsonrpc\":\"2.0\"");
        body.ShouldNotContain("\"status\":\"success\"");
    }

    [Fact]
    public async Task AnMcpSessionIdHeaderSelectsMcp()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = Json("""{"jsonrpc":"2.0","id":2,"method":"ping"}""") };
        request.Headers.Add("Mcp-Session-Id", "no-such-session");

        using var response = await _client.SendAsync(request);

        // The SDK answers (406: MCP requests must accept JSON and SSE), not the envelope endpoint.
        response.StatusCode.ShouldBe(HttpStatusCode.NotAcceptable);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("\"jsonrpc\":\"2.0\"");
        body.ShouldNotContain("\"status\"");
    }

    [Fact]
    public async Task AWrongContentTypeStillGetsTheEnvelopes415()
    {
        var reply = await _client.PostRawAsync("""{"model":"echo"}""", "text/plain");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        reply.Code.ShouldBe("unsupported_media_type");
    }

    [Fact]
    public async Task JsonRpcWithAWrongContentTypeGets415()
    {
        var reply = await _client.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", "text/plain");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        reply.Code.ShouldBe("unsupported_media_type");
    }

    [Fact]
    public async Task APlainGetOnMcpSaysWhatTheUrlIsAndHowToUseIt()
    {
        using var response = await _client.GetAsync("/mcp"); // curl's Accept: */*

        var reply = await EnvelopeClient.ReadAsync(response);
        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Status.ShouldBe("success");
        reply.Message.ShouldContain("POST");
        reply.Data.GetProperty("post").GetString()!.ShouldContain("Content-Type: application/json");
        reply.Data.GetProperty("models").GetString()!.ShouldEndWith("/mcp/models");
        reply.Data.GetProperty("swagger").GetString()!.ShouldEndWith("/swagger");
        reply.Data.GetProperty("mcp").GetString()!.ShouldContain("text/event-stream");
        reply.ToString().ShouldNotContain("HttpServerTransportOptions");
    }

    [Fact]
    public async Task ABrowserOpeningMcpGetsAShortPageLinkingSwaggerAndTheModels()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var page = await response.Content.ReadAsStringAsync();
        page.ShouldContain("href=\"/swagger\"");
        page.ShouldContain("href=\"/mcp/models\"");
        page.ShouldContain("curl");
        page.ShouldNotContain("HttpServerTransportOptions");
    }

    [Fact]
    public async Task AGetOnMcpWithoutSwaggerDoesNotPointThere()
    {
        using var app = new McpApiApplication();
        app.Settings["McpApi:EnableSwagger"] = "false";

        var reply = await EnvelopeClient.ReadAsync(await app.CreateClient().GetAsync("/mcp"));

        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
        reply.Data.TryGetProperty("swagger", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task AnMcpClientsGetWithoutASessionStillGetsTheProtocolsAnswer()
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        get.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await _client.SendAsync(get);

        // 405, so clients such as mcp-remote fall back correctly; the body is the MCP door's JSON-RPC error.
        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"jsonrpc\":\"2.0\"");
    }

    [Fact]
    public async Task GetAndDeleteOnMcpBelongToTheSdk()
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        get.Headers.Accept.ParseAdd("text/event-stream");
        using var getResponse = await _client.SendAsync(get);
        using var deleteResponse = await _client.DeleteAsync("/mcp");

        // The MCP door answers (JSON-RPC errors), not the envelope's method_not_allowed.
        getResponse.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        deleteResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        foreach (var response in new[] { getResponse, deleteResponse })
        {
            var body = await response.Content.ReadAsStringAsync();
            body.ShouldContain("\"jsonrpc\":\"2.0\"");
            body.ShouldNotContain("method_not_allowed");
        }
    }

    [Fact]
    public async Task AnMcpClientAndACurlUserShareTheUrlAtOnce()
    {
        await using var mcp = await _app.ConnectAsync();

        var tools = await mcp.ListToolsAsync(cancellationToken: TestContext.Timeout);
        var reply = await _client.PostEnvelopeAsync(new { model = "echo", data = "curl" });
        var call = await mcp.CallToolAsync("echo_echo", new Dictionary<string, object?> { ["data"] = "mcp" }, cancellationToken: TestContext.Timeout);

        tools.Select(t => t.Name).ShouldContain("echo_echo");
        reply.Status.ShouldBe("success");
        call.IsError.ShouldNotBe(true);
        call.Structured().GetProperty("data").GetProperty("echo").GetProperty("data").GetString().ShouldBe("mcp");
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = Json(body) };
        if (accept is not null)
            request.Headers.Accept.ParseAdd(accept);
        return await _client.SendAsync(request);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>The JSON-RPC result of a response sent as JSON or as one SSE <c>message</c> event.</summary>
    private static async Task<JsonElement> JsonRpcResultAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => l[6..]).First()
            : text;
        var message = JsonDocument.Parse(json).RootElement;
        message.GetProperty("jsonrpc").GetString().ShouldBe("2.0");
        return message.GetProperty("result").Clone();
    }
}
