using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpApi.Tests.Infrastructure;

/// <summary>The official C# SDK client, connected to the in-memory app or a real server over Streamable HTTP.</summary>
internal static class McpClients
{
    public static Task<McpClient> ConnectAsync(this McpApiApplication app) => ConnectAsync(app.CreateClient());

    /// <param name="protocolVersion">The revision to ask for (default: the SDK client's newest).</param>
    public static async Task<McpClient> ConnectAsync(HttpClient http, string? protocolVersion = null)
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(http.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            http, NullLoggerFactory.Instance, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, protocolVersion is null ? null : new McpClientOptions { ProtocolVersion = protocolVersion },
            cancellationToken: TestContext.Timeout);
    }

    /// <summary>The text of every text block of a tool result.</summary>
    public static IReadOnlyList<string> Texts(this CallToolResult result) =>
        [.. result.Content.OfType<TextContentBlock>().Select(t => t.Text)];

    public static JsonElement Structured(this CallToolResult result) =>
        result.StructuredContent ?? throw new ShouldAssertException("The tool result has no structuredContent.");
}

internal static class TestContext
{
    public static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
