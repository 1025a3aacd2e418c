using System.Net;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Models;

public sealed class ModelCatalogTests : IDisposable
{
    private readonly McpApiApplication _app = new();

    public void Dispose() => _app.Dispose();

    public static TheoryData<string, string[]> Models => new()
    {
        { "notes", ["add", "list", "latest", "delete", "summary_prompt", "notebooks"] },
        { "chat", ["send", "history", "rooms"] },
        { "state", ["get", "set", "delete", "list", "namespaces"] },
        { "move", ["new", "join", "play", "get", "list"] },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public async Task EveryModelListsItsActionsWithSchemasAndExamplesThatPassValidation(string model, string[] actions)
    {
        var client = _app.CreateClient();
        var catalog = await client.GetJsonAsync("/mcp/models");

        var entry = catalog.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == model);
        var listed = entry.GetProperty("actions").EnumerateArray().ToArray();
        listed.Select(a => a.GetProperty("name").GetString()).ShouldBe(actions);
        entry.GetProperty("defaultAction").GetString().ShouldBe(actions[0]);
        foreach (var action in listed)
        {
            action.GetProperty("description").GetString().ShouldNotBeNullOrWhiteSpace();
            action.GetProperty("dataSchema").ValueKind.ShouldBe(JsonValueKind.Object);
            var reply = await client.PostRawAsync(action.GetProperty("example").GetRawText());
            reply.StatusCode.ShouldNotBeOneOf([HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity, HttpStatusCode.InternalServerError],
                $"the example of {model}.{action.GetProperty("name")} must be a valid request: {reply}");
        }
    }

    [Fact]
    public async Task SwaggerHasANamedExampleForEveryModelAction()
    {
        var doc = await _app.CreateClient().GetJsonAsync("/swagger/v1/swagger.json");

        var examples = doc.GetProperty("paths").GetProperty("/mcp").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("examples");
        foreach (var name in new[] { "notes-add", "notes-summary_prompt", "chat-send", "state-set", "move-play" })
            examples.TryGetProperty(name, out _).ShouldBeTrue(name);
    }
}
