using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Mcp;

/// <summary>
/// The 2026-07-28 revision (per-request <c>_meta</c>, no session) as the conformance suite 0.2.0 checks it:
/// <c>server/discover</c> and the unsupported-version error list the same versions, <c>initialize</c> is a removed
/// method there (404, -32601), and a resource no template matches names its URI in <c>error.data.uri</c>.
/// </summary>
public sealed class McpPerRequestRevisionTests : IDisposable
{
    private const string Revision = "2026-07-28";
    private const string Meta = """
        "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}
        """;

    private readonly McpApiApplication _app = new();
    private readonly HttpClient _client;

    public McpPerRequestRevisionTests() => _client = _app.CreateClient();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("v999.0.0")]
    [InlineData("1999-01-01")]
    public async Task TheUnsupportedVersionErrorListsTheVersionsServerDiscoverListsAndEchoesTheRequestedOne(string requested)
    {
        using var discover = await PostAsync("""{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{""" + Meta + "}}", Revision, "server/discover");
        var discovered = (await MessageAsync(discover)).GetProperty("result").GetProperty("supportedVersions")
            .EnumerateArray().Select(v => v.GetString()).ToArray();

        using var response = await PostAsync(
            """{"jsonrpc":"2.0","id":2,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":""" + JsonSerializer.Serialize(requested) + "}}}",
            requested, "server/discover");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var message = await MessageAsync(response);
        message.GetProperty("id").GetInt32().ShouldBe(2);
        var error = message.GetProperty("error");
        error.GetProperty("code").GetInt32().ShouldBe(-32022);
        error.GetProperty("data").GetProperty("supported").EnumerateArray().Select(v => v.GetString()).ShouldBe(discovered);
        error.GetProperty("data").GetProperty("requested").GetString().ShouldBe(requested);
        // The revisions that start with initialize are named in the message, for a client of an older revision.
        error.GetProperty("message").GetString()!.ShouldContain("2025-11-25");
    }

    [Fact]
    public async Task InitializeOnThePerRequestRevisionIsARemovedMethod()
    {
        using var response = await PostAsync("""{"jsonrpc":"2.0","id":3,"method":"initialize","params":{""" + Meta + "}}", Revision, "initialize");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var message = await MessageAsync(response);
        message.GetProperty("id").GetInt32().ShouldBe(3);
        message.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(-32601);
        response.Headers.Contains("Mcp-Session-Id").ShouldBeFalse();
    }

    [Fact]
    public async Task AResourceNoTemplateMatchesNamesItsUriInTheErrorData()
    {
        const string uri = "nowhere://at/all";

        using var response = await PostAsync(
            """{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":""" + JsonSerializer.Serialize(uri) + "," + Meta + "}}", Revision, "resources/read", uri);

        var error = (await MessageAsync(response)).GetProperty("error");
        error.GetProperty("message").GetString()!.ShouldContain(uri);
        error.GetProperty("data").GetProperty("uri").GetString().ShouldBe(uri);
    }

    private Task<HttpResponseMessage> PostAsync(string body, string version, string method, string? name = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", version);
        request.Headers.Add("Mcp-Method", method);
        if (name is not null)
            request.Headers.Add("Mcp-Name", name);
        return _client.SendAsync(request);
    }

    /// <summary>The JSON-RPC message of a response sent as JSON or as one SSE <c>message</c> event.</summary>
    private static async Task<JsonElement> MessageAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => l[6..]).First()
            : text;
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
