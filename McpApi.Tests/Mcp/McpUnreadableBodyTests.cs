using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Mcp;

/// <summary>
/// A <c>POST /mcp</c> body that is JSON by grammar but no readable JSON-RPC message — a lone UTF-16 surrogate escape in a
/// name or value, or a property named twice in one object — gets a JSON-RPC error naming the problem (HTTP 400), in a
/// session, without one, and as an <c>initialize</c>; never a 500.
/// </summary>
public sealed class McpUnreadableBodyTests : IDisposable
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""";

    private readonly McpApiApplication _app = new();
    private readonly HttpClient _client;

    public McpUnreadableBodyTests() => _client = _app.CreateClient();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("""{"\udc00\udc00":1}""", true, null)]
    [InlineData("""{"\udc00\udc00":1}""", false, null)]
    [InlineData("""{"jsonrpc":"2.0","id":3,"method":"ping","params":{"\ud800x":1}}""", true, 3)]
    [InlineData("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo_echo","arguments":{"data":"a\ud800"}}}""", true, 3)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"\udc00","version":"1"}}}""", false, 1)]
    public async Task ALoneSurrogateEscapeIsAParseErrorNamingIt(string body, bool inSession, int? id)
    {
        var session = inSession ? await InitializeAsync() : null;

        using var response = await PostAsync(body, session);

        var message = await ErrorMessageAsync(response);
        var error = message.GetProperty("error");
        error.GetProperty("code").GetInt32().ShouldBe(-32700);
        error.GetProperty("message").GetString()!.ShouldContain("lone UTF-16 surrogate");
        IdOf(message).ShouldBe(id);
        if (!inSession)
            response.Headers.Contains("Mcp-Session-Id").ShouldBeFalse(); // an initialize that failed starts no session
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}""", true, "'id'", null)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}""", false, "'method'", 1)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"id":2,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""", false, "'id'", null)]
    [InlineData("""{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo_echo","name":"notes_add","arguments":{}}}""", true, "'params.name'", 4)]
    [InlineData("""{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo_echo","arguments":{"data":[{"a":1,"a":2}]}}}""", true, "'params.arguments.data[0].a'", 4)]
    public async Task APropertyNamedTwiceIsAnInvalidRequestNamingIt(string body, bool inSession, string expected, int? id)
    {
        var session = inSession ? await InitializeAsync() : null;

        using var response = await PostAsync(body, session);

        var message = await ErrorMessageAsync(response);
        var error = message.GetProperty("error");
        error.GetProperty("code").GetInt32().ShouldBe(-32600);
        error.GetProperty("message").GetString()!.ShouldContain($"{expected} appears more than once");
        IdOf(message).ShouldBe(id);
    }

    [Fact]
    public async Task BytesThatAreNotUtf8AreAParseError()
    {
        var session = await InitializeAsync();
        byte[] body = [.. "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a"u8, 0xFF, .. "\":1,\"a\":2}}"u8];
        using var request = Request(new ByteArrayContent(body), session);
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _client.SendAsync(request);

        var error = (await ErrorMessageAsync(response)).GetProperty("error");
        error.GetProperty("code").GetInt32().ShouldBe(-32700);
        error.GetProperty("message").GetString()!.ShouldContain("not valid UTF-8");
    }

    private static int? IdOf(JsonElement message) =>
        message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt32() : null;

    /// <summary>The one JSON-RPC message of a 400 answer (never a 500, never an envelope).</summary>
    private static async Task<JsonElement> ErrorMessageAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(400, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var message = JsonDocument.Parse(text).RootElement.Clone();
        message.GetProperty("jsonrpc").GetString().ShouldBe("2.0", text);
        return message;
    }

    private async Task<string> InitializeAsync()
    {
        using var response = await PostAsync(Initialize, null);
        response.EnsureSuccessStatusCode();
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = await PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", session);
        return session;
    }

    private Task<HttpResponseMessage> PostAsync(string body, string? session) =>
        _client.SendAsync(Request(new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")), session));

    private static HttpRequestMessage Request(HttpContent content, string? session)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = content };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        if (session is not null)
            request.Headers.Add("Mcp-Session-Id", session);
        return request;
    }
}
