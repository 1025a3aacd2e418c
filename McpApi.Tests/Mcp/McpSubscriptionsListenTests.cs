using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using McpApi.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpApi.Tests.Mcp;

/// <summary>
/// <c>subscriptions/listen</c> on the 2026-07-28 revision (no session): the acknowledgement grants the subscribable
/// resources, and a write over the envelope door arrives on the same stream as <c>notifications/resources/updated</c>,
/// tagged with the subscription id. And <c>chat://rooms</c>, followed either way, is updated when a room gets a message.
/// </summary>
public sealed class McpSubscriptionsListenTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private const string Meta = """
        "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}
        """;

    private readonly McpApiApplication _app = new();

    public void Dispose() => _app.Dispose();

    private static async Task<(HttpResponseMessage Response, StreamReader Reader)> ListenAsync(HttpClient client, string uris, CancellationToken cancellationToken)
    {
        using var listen = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":41,"method":"subscriptions/listen","params":{"notifications":{"resourceSubscriptions":""" + uris + "}," + Meta + "}}",
                Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        listen.Headers.Accept.ParseAdd("application/json, text/event-stream");
        listen.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        listen.Headers.Add("Mcp-Method", "subscriptions/listen");
        var response = await client.SendAsync(listen, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken)));
    }

    [Fact]
    public async Task AListenStreamAcknowledgesItsResourcesAndCarriesTheirUpdates()
    {
        using var client = _app.CreateClient();
        using var stop = new CancellationTokenSource(Bound);
        var (response, reader) = await ListenAsync(client, """["notes://latest","nowhere://x"]""", stop.Token);
        using var held = response;
        using var stream = reader;

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

    [Fact]
    public async Task ChatRoomsIsUpdatedWhenANewRoomGetsItsFirstMessageOverAnotherDoor()
    {
        // resources/subscribe is a session's method: the SDK client sends it even on 2026-07-28, which answers -32601.
        await using var mcp = await McpClients.ConnectAsync(_app.CreateClient(), "2025-11-25");
        var updates = Channel.CreateUnbounded<string>();
        await using var subscription = await mcp.SubscribeToResourceAsync("chat://rooms",
            (update, _) => { updates.Writer.TryWrite(update.Uri); return ValueTask.CompletedTask; }, cancellationToken: TestContext.Timeout);
        var http = _app.CreateClient();

        // The server-to-client stream may open just after the subscription: send until an update arrives (bounded).
        using var stop = new CancellationTokenSource(Bound);
        string? uri = null;
        for (var sent = 0; uri is null && !stop.IsCancellationRequested; sent++)
        {
            (await http.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "ana", room = "kitchen" }, data = $"hello {sent}" }))
                .Status.ShouldBe("success");
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                uri = await updates.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
            }
        }

        uri.ShouldBe("chat://rooms");
        var rooms = await mcp.ReadResourceAsync("chat://rooms", cancellationToken: TestContext.Timeout);
        ((TextResourceContents)rooms.Contents.Single()).Text.ShouldContain("\"room\":\"kitchen\"");
    }

    [Fact]
    public async Task AListenStreamFollowingChatRoomsHearsAMessageToAnyRoom()
    {
        using var client = _app.CreateClient();
        using var stop = new CancellationTokenSource(Bound);
        var (response, reader) = await ListenAsync(client, """["chat://rooms"]""", stop.Token);
        using var held = response;
        using var stream = reader;

        var acknowledged = await NextMessageAsync(reader, stop.Token);
        acknowledged.GetProperty("params").GetProperty("notifications").GetProperty("resourceSubscriptions")
            .EnumerateArray().Select(u => u.GetString()).ShouldBe(["chat://rooms"]);
        (await client.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "ana", room = "attic" }, data = "up here" }))
            .Status.ShouldBe("success");

        var updated = await NextMessageAsync(reader, stop.Token);
        updated.GetProperty("method").GetString().ShouldBe("notifications/resources/updated");
        updated.GetProperty("params").GetProperty("uri").GetString().ShouldBe("chat://rooms");
    }

    [Theory]
    [InlineData("2025-11-25")] // initialize's capabilities
    [InlineData(null)] // the SDK client's newest revision: server/discover's
    public async Task TheResourceListsDoNotDependOnTheDataSoListChangedIsNotAdvertised(string? revision)
    {
        await using var mcp = await McpClients.ConnectAsync(_app.CreateClient(), revision);
        var before = (await mcp.ListResourcesAsync(cancellationToken: TestContext.Timeout)).Select(r => r.Uri).ToList();
        var http = _app.CreateClient();
        await http.PostEnvelopeAsync(new { model = "notes", action = "add", context = "fresh", data = "a new notebook" });
        await http.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "ana", room = "fresh" }, data = "a new room" });

        var after = (await mcp.ListResourcesAsync(cancellationToken: TestContext.Timeout)).Select(r => r.Uri).ToList();

        mcp.ServerCapabilities.Resources.ShouldNotBeNull();
        mcp.ServerCapabilities.Resources.Subscribe.ShouldBe(true);
        mcp.ServerCapabilities.Resources.ListChanged.ShouldNotBe(true);
        before.ShouldBe(["notes://latest", "chat://rooms"], ignoreOrder: true);
        after.ShouldBe(before);
    }

    [Fact]
    public async Task AListenStreamDoesNotGrantResourceListChanges()
    {
        using var client = _app.CreateClient();
        using var stop = new CancellationTokenSource(Bound);
        var (response, reader) = await ListenAsync(client, """["chat://rooms"],"resourcesListChanged":true""", stop.Token);
        using var held = response;
        using var stream = reader;

        var notifications = (await NextMessageAsync(reader, stop.Token)).GetProperty("params").GetProperty("notifications");

        notifications.TryGetProperty("resourcesListChanged", out _).ShouldBeFalse(notifications.ToString());
        notifications.GetProperty("resourceSubscriptions").GetArrayLength().ShouldBe(1);
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
