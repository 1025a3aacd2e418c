using System.Net;
using System.Text;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Logging;

/// <summary>
/// By default an MCP request is logged once, by McpApi's request event, as every other request is: the SDK's own three
/// Information lines per call (handler called, tool completed, handler completed) cost as much as the call itself.
/// </summary>
public sealed class McpSdkLoggingTests : IDisposable
{
    private readonly LogCollector _log = new();
    private readonly McpApiApplication _app;

    public McpSdkLoggingTests()
    {
        _app = new McpApiApplication { Configure = services => services.AddSingleton<ILogEventSink>(_log) };
        _app.Settings["Mcp:SessionMode"] = "Stateless";
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AToolCallIsLoggedOnceByTheRequestEventNotAlsoLineByLineByTheSdk()
    {
        await CallEchoAsync(_app.CreateClient());

        await _log.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "for the MCP request");
        var sdkLines = _log.Events.Where(e => e.Properties.TryGetValue("SourceContext", out var source)
            && source.ToString().StartsWith("\"ModelContextProtocol", StringComparison.Ordinal) && e.Level < LogEventLevel.Warning).ToList();
        sdkLines.ShouldBeEmpty($"the SDK logged {string.Join(" | ", sdkLines.Select(e => e.RenderMessage()))}");
    }

    [Fact]
    public async Task TheSdksInformationLinesComeBackWhenItsLevelIsSetToInformation()
    {
        _app.Settings["Serilog:MinimumLevel:Override:ModelContextProtocol"] = "Information";

        await CallEchoAsync(_app.CreateClient());

        await _log.WaitForAsync(e => e.RenderMessage() is var line && line.Contains("echo_echo", StringComparison.Ordinal) && line.Contains("completed. IsError", StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            "from the SDK for the tool call");
    }

    private static async Task CallEchoAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo_echo","arguments":{"context":"test","data":"hi"}}}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        using var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("hi");
    }
}
