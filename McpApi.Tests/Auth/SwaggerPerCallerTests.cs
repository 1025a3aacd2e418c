using System.Net;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Auth;

/// <summary>
/// With authentication on, the OpenAPI document's envelope examples (requests and the answers they get) are the actions
/// the caller may call, as <c>GET /mcp/models</c> and MCP <c>tools/list</c> show; an anonymous caller sees none.
/// </summary>
public sealed class SwaggerPerCallerTests
{
    private static async Task<(string[] Requests, string[] Replies, string Description)> ExamplesAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/swagger/v1/swagger.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var post = doc.GetProperty("paths").GetProperty("/mcp").GetProperty("post");
        var content = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        string[] requests = content.TryGetProperty("examples", out var examples) ? [.. examples.EnumerateObject().Select(e => e.Name)] : [];
        var ok = post.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json");
        string[] replies = ok.TryGetProperty("examples", out var answers) ? [.. answers.EnumerateObject().Select(e => e.Name)] : [];
        return (requests, replies, post.GetProperty("description").GetString()!);
    }

    [Fact]
    public async Task TheEnvelopeExamplesAreTheActionsTheCallerMayCall()
    {
        using var app = TestKeys.ApiKeyApp();

        var (anaRequests, anaReplies, anaDescription) = await ExamplesAsync(app.CreateClient().WithKey(TestKeys.Ana)); // chat:*, notes:read
        var (adminRequests, _, _) = await ExamplesAsync(app.CreateClient().WithKey(TestKeys.Admin));
        var (anonymousRequests, _, anonymousDescription) = await ExamplesAsync(app.CreateClient());

        anaRequests.ShouldBe(["seed-chat", "chat-send", "chat-history", "chat-rooms", "notes-list", "notes-latest", "notes-summary_prompt", "notes-notebooks"], ignoreOrder: true);
        anaReplies.ShouldBe(anaRequests, ignoreOrder: true);
        anaDescription.ShouldContain("'ana'");
        adminRequests.ShouldContain("state-set");
        adminRequests.ShouldContain("seed-echo");
        adminRequests.Length.ShouldBe(22);
        anonymousRequests.ShouldBeEmpty();
        anonymousDescription.ShouldContain("credential");
    }

    [Fact]
    public async Task WithoutAuthenticationTheDocumentShowsEveryExample()
    {
        using var app = new McpApiApplication();

        var (requests, _, description) = await ExamplesAsync(app.CreateClient());

        requests.Length.ShouldBe(22);
        description.ShouldNotContain("credential");
    }

    [Fact]
    public async Task WithAuthenticationOnSwaggerUiCanSendACredential()
    {
        using var keyed = TestKeys.ApiKeyApp();
        using var open = new McpApiApplication();

        var withAuth = JsonDocument.Parse(await keyed.CreateClient().GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var withoutAuth = JsonDocument.Parse(await open.CreateClient().GetStringAsync("/swagger/v1/swagger.json")).RootElement;

        var scheme = withAuth.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        scheme.GetProperty("type").GetString().ShouldBe("http");
        scheme.GetProperty("scheme").GetString().ShouldBe("bearer");
        withAuth.GetProperty("security")[0].TryGetProperty("bearer", out _).ShouldBeTrue();
        withoutAuth.TryGetProperty("security", out _).ShouldBeFalse("an open server asks for no credential");
    }
}
