using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Mcp;

/// <summary>What the MCP door puts on the wire: the request size limit and how tool and resource text is escaped.</summary>
public sealed class McpWireTests : IDisposable
{
    private readonly McpApiApplication _app = new();
    private readonly HttpClient _client;
    private string? _sessionId;

    public McpWireTests()
    {
        _app.Settings["McpApi:MaxRequestBytes"] = "16384";
        _client = _app.CreateClient();
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AnMcpRequestAboveMaxRequestBytesIs413WithAJsonRpcError()
    {
        await InitializeAsync();
        var big = new string('x', 20_000);

        using var response = await PostAsync(ToolCall(3, "echo_echo", new { data = big }));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        error.GetProperty("jsonrpc").GetString().ShouldBe("2.0");
        error.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("McpApi:MaxRequestBytes");
        error.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("16384");
    }

    [Fact]
    public async Task AChunkedMcpRequestAboveMaxRequestBytesIs413Too()
    {
        await InitializeAsync();
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(ToolCall(3, "echo_echo", new { data = new string('x', 20_000) }))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = Request(content);
        request.Headers.TransferEncodingChunked = true;

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).ShouldContain("McpApi:MaxRequestBytes");
    }

    [Fact]
    public async Task AnMcpRequestWithinTheLimitIsServed()
    {
        await InitializeAsync();

        using var response = await PostAsync(ToolCall(3, "echo_echo", new { data = new string('x', 10_000) }));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await JsonRpcResultAsync(response);
        result.GetProperty("structuredContent").GetProperty("status").GetString().ShouldBe("success");
    }

    [Fact]
    public async Task ToolResultTextIsJsonWithPlainQuotesNotUnicodeEscapes()
    {
        await InitializeAsync();

        using var response = await PostAsync(ToolCall(3, "echo_echo", new { data = new { said = "she said \"hi\" <b>&</b> é" } }));

        var raw = await response.Content.ReadAsStringAsync();
        raw.ShouldNotContain("\\u0022");
        raw.ShouldNotContain("\\u003C");
        var text = (await JsonRpcResultAsync(raw, response)).GetProperty("content")[0].GetProperty("text").GetString()!;
        text.ShouldNotContain("\\u0022");
        text.ShouldContain("\"status\":\"success\"");
        JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("echo").GetProperty("data").GetProperty("said").GetString()
            .ShouldBe("she said \"hi\" <b>&</b> é");
    }

    [Fact]
    public async Task ResourceTextIsJsonWithPlainQuotesNotUnicodeEscapes()
    {
        await InitializeAsync();
        await PostAsync(ToolCall(3, "state_set", new { context = "ns", data = new { key = "k", value = new { quote = "\"q\" <x>" } } }));

        using var response = await PostAsync(JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0", id = 4, method = "resources/read", @params = new { uri = "state://ns/k" },
        }));

        var raw = await response.Content.ReadAsStringAsync();
        raw.ShouldNotContain("\\u0022");
        var text = (await JsonRpcResultAsync(raw, response)).GetProperty("contents")[0].GetProperty("text").GetString()!;
        text.ShouldContain("\"key\":\"k\"");
        JsonDocument.Parse(text).RootElement.GetProperty("value").GetProperty("quote").GetString().ShouldBe("\"q\" <x>");
    }

    private async Task InitializeAsync()
    {
        using var response = await PostAsync(
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""");
        response.EnsureSuccessStatusCode();
        _sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = await PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
    }

    private static string ToolCall(int id, string name, object arguments) =>
        JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method = "tools/call", @params = new { name, arguments } });

    private Task<HttpResponseMessage> PostAsync(string body) =>
        _client.SendAsync(Request(new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"))));

    private HttpRequestMessage Request(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = content };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        if (_sessionId is not null)
            request.Headers.Add("Mcp-Session-Id", _sessionId);
        return request;
    }

    private static async Task<JsonElement> JsonRpcResultAsync(HttpResponseMessage response) =>
        await JsonRpcResultAsync(await response.Content.ReadAsStringAsync(), response);

    /// <summary>The JSON-RPC result of a response sent as JSON or as SSE <c>message</c> events.</summary>
    private static Task<JsonElement> JsonRpcResultAsync(string text, HttpResponseMessage response)
    {
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => l[6..]).First()
            : text;
        var message = JsonDocument.Parse(json).RootElement;
        message.TryGetProperty("result", out var result).ShouldBeTrue(json);
        return Task.FromResult(result.Clone());
    }
}
