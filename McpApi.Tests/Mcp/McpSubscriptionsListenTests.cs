using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Mcp;

/// <summary>
/// <c>subscriptions/listen</c> on the 2026-07-28 revision (no session): the acknowledgement grants the subscribable
/// resources, and a write over the envelope door arrives on the same stream as <c>notifications/resources/updated</c>,
/// tagged with the subscription id.
/// </summary>
public sealed class McpSubscriptionsListenTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private const string Meta = """
        "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}
        """;

    private readonly McpApiApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AListenStreamAcknowledgesItsResourcesAndCarriesTheirUpdates()
    {
        using var client = _app.CreateClient();
        using var listen = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":41,"method":"subscriptions/listen","params":{"notifications":{"resourceSubscriptions":["notes://latest","nowhere://x"]},""" + Meta + "}}",
                Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        listen.Headers.Accept.ParseAdd("application/json, text/event-stream");
        listen.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        listen.Headers.Add("Mcp-Method", "subscriptions/listen");
        using var stop = new CancellationTokenSource(Bound);
        using var response = await client.SendAsync(listen, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));

        var acknowledged = await NextMessageAsync(reader, stop.Token);
        acknowledged.GetProperty("method").GetString().ShouldBe("notifications/subscriptions/acknowledged");
        acknowledged.GetProperty("params").GetProperty("notifications").GetProperty("resourceSubscriptions")
            .EnumerateArray().Select(u => u.GetString()).ShouldBe(["notes://latest"]);
        acknowledged.GetProperty("params").GetProperty("_meta").GetProperty("io.modelcontextprotocol/subscriptionId").GetInt32().ShouldBe(41);

        using var add = await client.PostAsync("/mcp", new StringContent("""{"model":"notes","action":"add","data":"heard on the listen stream"}""",
            Encoding.UTF8, "application/json"), stop.Token);
        add.IsSuccessStatusCode.ShouldBeTrue();

        var updated = await NextMessageAsync(reader, stop.Token);
        updated.GetProperty("method").GetString().ShouldBe("notifications/resources/updated");
        updated.GetProperty("params").GetProperty("uri").GetString().ShouldBe("notes://latest");
        updated.GetProperty("params").GetProperty("_meta").GetProperty("io.modelcontextprotocol/subscriptionId").GetInt32().ShouldBe(41);
    }

    private static async Task<JsonElement> NextMessageAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
                return JsonDocument.Parse(line[6..]).RootElement.Clone();
        }
        throw new EndOfStreamException("The listen stream ended before the next message.");
    }
}
