using System.Net;
using System.Text;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpApi.Tests.Mcp;

/// <summary>
/// Without a session (stateless mode, the 2026-07-28 revision) the SDK builds fresh <see cref="McpServerOptions"/> for
/// every request; the generated tools, their schemas and the seed's resources and prompts must be built once and reused.
/// </summary>
public sealed class McpPrimitiveReuseTests : IDisposable
{
    private readonly McpApiApplication _app = new();

    public McpPrimitiveReuseTests() => _app.Settings["Mcp:SessionMode"] = "Stateless";

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task StatelessRequestsReuseTheToolsResourcesAndPromptsInsteadOfBuildingThemPerRequest()
    {
        using var client = _app.CreateClient();
        for (var id = 1; id <= 3; id++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
            {
                Content = new StringContent(
                    "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo_echo\",\"arguments\":{\"context\":\"test\",\"data\":\"call " + id + "\"}}}",
                    Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Accept", "application/json, text/event-stream");
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            using var response = await client.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).ShouldContain($"call {id}");
        }

        var factory = _app.Services.GetRequiredService<IOptionsFactory<McpServerOptions>>();
        var first = factory.Create(Options.DefaultName);
        var second = factory.Create(Options.DefaultName);

        first.ToolCollection.ShouldNotBeNull().Count.ShouldBeGreaterThan(2);
        ShouldBeTheSameInstances(first.ToolCollection, second.ToolCollection.ShouldNotBeNull());
        ShouldBeTheSameInstances(first.ResourceCollection.ShouldNotBeNull(), second.ResourceCollection.ShouldNotBeNull());
        ShouldBeTheSameInstances(first.PromptCollection.ShouldNotBeNull(), second.PromptCollection.ShouldNotBeNull());
    }

    [Fact]
    public async Task EveryRequestWithoutASessionGetsTheSameCollectionsInsteadOfFillingNewOnes()
    {
        await CallEchoAsync(_app.CreateClient(), 1);

        var factory = _app.Services.GetRequiredService<IOptionsFactory<McpServerOptions>>();
        var first = factory.Create(Options.DefaultName);
        var second = factory.Create(Options.DefaultName);

        first.ToolCollection.ShouldNotBeNull().ShouldContain(tool => tool.ProtocolTool.Name == "echo_echo");
        second.ToolCollection.ShouldBeSameAs(first.ToolCollection, "the tools were copied into a new collection for another request");
        second.ResourceCollection.ShouldBeSameAs(first.ResourceCollection.ShouldNotBeNull(), "the resources were copied into a new collection");
        second.PromptCollection.ShouldBeSameAs(first.PromptCollection.ShouldNotBeNull(), "the prompts were copied into a new collection");
        // The session the SDK keeps options for sees the very same primitives.
        _app.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection.ShouldBeSameAs(first.ToolCollection);
    }

    [Fact]
    public async Task TheServerInfoIsMadeOnceNotReadFromTheAssemblyForEveryRequest()
    {
        await CallEchoAsync(_app.CreateClient(), 1);

        var factory = _app.Services.GetRequiredService<IOptionsFactory<McpServerOptions>>();
        var first = factory.Create(Options.DefaultName);
        var second = factory.Create(Options.DefaultName);

        first.ServerInfo.ShouldNotBeNull().Name.ShouldBe("McpApi");
        second.ServerInfo.ShouldBeSameAs(first.ServerInfo, "the server info (an assembly attribute lookup) was made again for another request");
        second.ServerInstructions.ShouldBeSameAs(first.ServerInstructions);
    }

    private static async Task CallEchoAsync(HttpClient client, int id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo_echo\",\"arguments\":{\"context\":\"test\",\"data\":\"call " + id + "\"}}}",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        using var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain($"call {id}");
    }

    private static void ShouldBeTheSameInstances<T>(IEnumerable<T> first, IEnumerable<T> second) where T : class
    {
        var a = first.ToList();
        var b = second.ToList();
        b.Count.ShouldBe(a.Count);
        a.ShouldNotBeEmpty();
        foreach (var item in a)
            b.ShouldContain(other => ReferenceEquals(other, item), $"{item} was built again for the second options instance");
    }
}
