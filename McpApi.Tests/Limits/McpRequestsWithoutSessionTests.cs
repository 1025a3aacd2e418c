using System.Net;
using System.Text;
using McpApi.Dispatching;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Limits;

/// <summary>
/// Requests that can never start a session — every request in <c>Stateless</c> mode, and 2026-07-28 requests (a revision
/// without sessions) in the default mode — take no place under <c>Mcp:MaxSessionsPerClient</c> / <c>Mcp:MaxSessions</c>:
/// while one is running, the client can still start the sessions it is allowed.
/// </summary>
public sealed class McpRequestsWithoutSessionTests : IDisposable
{
    private const string Initialize = """{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"limit-test","version":"1"}}}""";
    private const string Meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"limit-test\",\"version\":\"1\"},\"io.modelcontextprotocol/clientCapabilities\":{}}";

    private readonly HoldModel _hold = new();
    private readonly McpApiApplication _app;

    public McpRequestsWithoutSessionTests()
    {
        _app = new McpApiApplication { Configure = services => services.AddSingleton<IModelHandler>(_hold) };
        _app.Settings["Mcp:MaxSessionsPerClient"] = "1";
    }

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("StatefulForInitializeClients", "2026-07-28")]
    [InlineData("Stateless", "2025-11-25")]
    public async Task ARequestThatCannotStartASessionTakesNoSessionPlaceWhileItRuns(string mode, string version)
    {
        _app.Settings["Mcp:SessionMode"] = mode;
        using var client = _app.CreateClient();
        var meta = version == "2026-07-28" ? "," + Meta : "";
        var running = PostAsync(client, version,
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"hold_wait","arguments":{}""" + meta + "}}",
            version == "2026-07-28" ? ("tools/call", "hold_wait") : null);
        await _hold.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var initialize = await PostAsync(client, "2025-11-25", Initialize, null);

        var body = await initialize.Content.ReadAsStringAsync();
        initialize.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain("\"protocolVersion\"");
        _hold.Release.SetResult();
        using var done = await running;
        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await done.Content.ReadAsStringAsync()).ShouldContain("Released");
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string version, string json, (string Method, string Name)? headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", version);
        if (headers is { } h)
        {
            request.Headers.Add("Mcp-Method", h.Method);
            request.Headers.Add("Mcp-Name", h.Name);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>An action that says when it runs, then waits until the test releases it.</summary>
    private sealed class HoldModel : IModelHandler
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "hold";

        public string Description => "Test-only model that answers when the test says so.";

        public IReadOnlyList<ModelAction> Actions =>
        [
            ModelAction.For<NoContext, NoData, NoData?>("wait", "Waits until the test releases it.", async (_, ct) =>
            {
                Entered.TrySetResult();
                await Release.Task.WaitAsync(ct);
                return new ModelResult<NoData?>("Released", null);
            }),
        ];
    }
}
