using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Doors.Mcp;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Mcp;

/// <summary>
/// Every MCP call is a <c>POST /mcp</c>: what McpApi does around the SDK's endpoint runs as one pass, and middleware
/// that cannot apply to a POST (WebSocket upgrades, static files) is not run for it.
/// </summary>
public sealed class McpPostPassTests
{
    [Fact]
    public async Task APostToMcpRunsOnePassAroundTheSdkEndpointInsteadOfNestedWrappers()
    {
        using var app = new McpApiApplication();
        using var client = app.CreateClient();
        (await CallAsync(client, "echo_echo", "{\"context\":\"test\",\"data\":\"one pass\"}")).ShouldContain("one pass");

        var post = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Single(e => e.Metadata.GetMetadata<McpEndpointMetadata>() is not null
                && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) == true);
        var pass = post.RequestDelegate.ShouldNotBeNull().Target.ShouldBeOfType<McpPostPass>(
            "POST /mcp should be McpPostPass over the SDK's endpoint, not a chain of wrappers (each an async state machine and service lookups per call)");
        pass.Sdk.Method.DeclaringType!.Assembly.ShouldNotBe(typeof(McpPostPass).Assembly,
            "the pass should run the SDK's own endpoint directly, not another McpApi wrapper");
    }

    [Fact]
    public async Task AnMcpCallOnKestrelSkipsTheWebSocketMiddlewareWhichStillUpgradesGetRequests()
    {
        using var server = new RealtimeServer(configure: services => services.AddModel<RequestProbeModel>());
        using var client = server.CreateClient();

        var seen = Seen(await CallAsync(client, "requestprobe_inspect", "{}"));
        seen.GetProperty("sawRequest").GetBoolean().ShouldBeTrue();
        seen.GetProperty("webSocketHandshake").GetBoolean().ShouldBeFalse(
            "the WebSocket middleware ran for a POST (it sets a handshake feature on every request it sees)");

        using var socket = await server.ConnectWebSocketAsync();
        socket.State.ShouldBe(WebSocketState.Open);
    }

    [Fact]
    public async Task ASmallBodyIsCheckedWhereKestrelBufferedItAndTheSdkReadsTheSameBytesWithoutACopy()
    {
        using var server = new RealtimeServer(configure: services => services.AddModel<RequestProbeModel>());
        using var client = server.CreateClient();

        var seen = Seen(await CallAsync(client, "requestprobe_inspect", "{}"));

        seen.GetProperty("bodyCopied").GetBoolean().ShouldBeFalse("the body was copied into a MemoryStream put in place of Kestrel's request body");
        // What the check is for still holds on the same path: a property named twice is refused before the SDK.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":7,\"id\":8,\"method\":\"tools/list\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        using var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("-32600");
    }

    private static JsonElement Seen(string answer)
    {
        using var json = JsonDocument.Parse(answer[(answer.IndexOf("data: ", StringComparison.Ordinal) + 6)..]);
        return json.RootElement.GetProperty("result").GetProperty("structuredContent").GetProperty("data").Clone();
    }

    private static async Task<string> CallAsync(HttpClient client, string tool, string arguments)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "," + Meta + "}}",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        request.Headers.Add("Mcp-Method", "tools/call");
        request.Headers.Add("Mcp-Name", tool);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain("\"result\"");
        return body;
    }

    private const string Meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
        + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"test\",\"version\":\"1.0\"},\"io.modelcontextprotocol/clientCapabilities\":{}}";

    /// <summary>Test-only: reports what the MCP request it runs in carries.</summary>
    private sealed class RequestProbeModel : IModelHandler
    {
        public string Name => "requestprobe";

        public string Description => "Test-only model: what the current MCP request carries.";

        public IReadOnlyList<ModelAction> Actions { get; } =
        [
            ModelAction.For<JsonElement, JsonElement, Seen>("inspect", "Reports the current request's features.", static (_, _) =>
            {
                var http = CurrentRequest.Http;
                return ValueTask.FromResult(new ModelResult<Seen>("Inspected",
                    new Seen(http is not null, http?.Features.Get<IHttpWebSocketFeature>() is not null, http?.Request.Body is MemoryStream)));
            }),
        ];

        public sealed record Seen(bool SawRequest, bool WebSocketHandshake, bool BodyCopied);
    }
}
