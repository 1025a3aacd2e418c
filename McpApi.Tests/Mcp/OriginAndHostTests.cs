using System.Net;
using System.Net.Http.Headers;
using System.Text;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Mcp;

/// <summary>DNS-rebinding protection: foreign Host or Origin headers are refused with a body that says how to allow them.</summary>
public sealed class OriginAndHostTests
{
    private const string Ping = """{"jsonrpc":"2.0","id":1,"method":"ping"}""";

    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""";

    [Fact]
    public async Task AForeignOriginGets403ErrorEnvelopeOnTheEnvelopeEndpoint()
    {
        using var app = new McpApiApplication();
        var response = await SendAsync(app.CreateClient(), """{"model":"echo"}""", origin: "http://evil.example");

        var reply = await EnvelopeClient.ReadAsync(response);
        reply.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        reply.Code.ShouldBe("forbidden_origin");
        reply.Message.ShouldContain("Mcp:AllowedOrigins");
    }

    [Fact]
    public async Task AForeignOriginGets403JsonRpcErrorOnTheMcpEndpoint()
    {
        using var app = new McpApiApplication();
        var response = await SendAsync(app.CreateClient(), Ping, origin: "https://evil.example", accept: "application/json, text/event-stream");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("\"jsonrpc\":\"2.0\"");
        body.ShouldContain("\"code\":-32600");
        body.ShouldContain("https://evil.example");
    }

    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://[::1]:3000")]
    public async Task LoopbackOriginsAreAllowedByDefault(string origin)
    {
        using var app = new McpApiApplication();
        var reply = await EnvelopeClient.ReadAsync(await SendAsync(app.CreateClient(), """{"model":"echo"}""", origin: origin));

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
    }

    [Fact]
    public async Task AConfiguredOriginIsAllowedAndReplacesTheLoopbackDefault()
    {
        using var app = new McpApiApplication();
        app.Settings["Mcp:AllowedOrigins:0"] = "https://app.example.com";
        var client = app.CreateClient();

        var allowed = await SendAsync(client, """{"model":"echo"}""", origin: "https://app.example.com");
        var otherScheme = await SendAsync(client, """{"model":"echo"}""", origin: "http://app.example.com");
        var loopback = await SendAsync(client, """{"model":"echo"}""", origin: "http://localhost:5000");

        allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        otherScheme.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        loopback.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AForeignHostGets403NamingTheAllowedHostsSetting()
    {
        using var app = new McpApiApplication();
        var reply = await EnvelopeClient.ReadAsync(await SendAsync(app.CreateClient(), """{"model":"echo"}""", host: "attacker.example"));

        reply.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        reply.Code.ShouldBe("forbidden_host");
        reply.Message.ShouldContain("AllowedHosts");
    }

    [Fact]
    public async Task AForeignHostIsRefusedRightAfterAnAllowedOneOnTheSameServer()
    {
        // The policy remembers the last allowed Host value; only that exact value skips the match.
        using var app = new McpApiApplication();
        var client = app.CreateClient();

        (await SendAsync(client, """{"model":"echo"}""", host: "localhost:5000")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var host in new[] { "localhost.attacker.example:5000", "attacker.example:5000", "localhost5000" })
            (await EnvelopeClient.ReadAsync(await SendAsync(client, """{"model":"echo"}""", host: host))).Code.ShouldBe("forbidden_host", host);
        (await SendAsync(client, """{"model":"echo"}""", host: "localhost:5000")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:5000")]
    [InlineData("[::1]:5000")]
    public async Task LoopbackHostsAreAllowedByDefault(string host)
    {
        using var app = new McpApiApplication();
        var response = await SendAsync(app.CreateClient(), """{"model":"echo"}""", host: host);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AllowedHostsStarAcceptsAnyHostForContainers()
    {
        using var app = new McpApiApplication();
        app.Settings["AllowedHosts"] = "*";
        var response = await SendAsync(app.CreateClient(), """{"model":"echo"}""", host: "mcpapi.internal");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("192.0.2.2:8080", "http://192.0.2.2:8080")]
    [InlineData("mcpapi.example.com", "https://mcpapi.example.com")]
    [InlineData("mcpapi.example.com:443", "https://mcpapi.example.com")]
    [InlineData("[2001:db8::2]:8080", "http://[2001:db8::2]:8080")]
    public async Task AnOriginMatchingTheHostTheRequestWasSentToIsSameOriginOnEveryEndpoint(string host, string origin)
    {
        using var app = new McpApiApplication();
        app.Settings["AllowedHosts"] = "*"; // the Dockerfile's setting
        var client = app.CreateClient();

        var envelope = await EnvelopeClient.ReadAsync(await SendAsync(client, """{"model":"echo"}""", origin: origin, host: host));
        var mcp = await SendAsync(client, Initialize, origin: origin, host: host, accept: "application/json, text/event-stream");

        envelope.StatusCode.ShouldBe(HttpStatusCode.OK, envelope.ToString());
        mcp.StatusCode.ShouldBe(HttpStatusCode.OK, await mcp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheConsolesWebSocketOpenedByIpAddressIsSameOriginAndConnects()
    {
        using var app = new McpApiApplication();
        app.Settings["AllowedHosts"] = "*";
        _ = app.Server; // starts the in-memory server
        var client = app.Server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            request.Host = new Microsoft.AspNetCore.Http.HostString("192.0.2.2:8080");
            request.Headers.Origin = "http://192.0.2.2:8080";
        };

        using var socket = await client.ConnectAsync(new Uri("ws://192.0.2.2:8080/mcp/ws"), CancellationToken.None);
        using var ws = new WsTestClient(socket);
        var reply = await ws.ReplyAsync(new { id = "o1", model = "echo", data = "same origin" });

        reply.GetProperty("status").GetString().ShouldBe("success");
    }

    [Theory]
    [InlineData("192.0.2.2:8080", "http://192.0.2.2:8081")]
    [InlineData("192.0.2.2:8080", "http://evil.example:8080")]
    [InlineData("mcpapi.example.com", "https://mcpapi.example.com.evil.example")]
    public async Task AnOriginOfAnotherSiteIsStillForeignWhenAnyHostIsAllowed(string host, string origin)
    {
        using var app = new McpApiApplication();
        app.Settings["AllowedHosts"] = "*";
        var reply = await EnvelopeClient.ReadAsync(await SendAsync(app.CreateClient(), """{"model":"echo"}""", origin: origin, host: host));

        reply.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        reply.Code.ShouldBe("forbidden_origin");
        reply.Message.ShouldContain("Mcp:AllowedOrigins");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string body, string? origin = null, string? host = null, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        if (host is not null)
            request.Headers.Host = host;
        if (accept is not null)
            request.Headers.Accept.ParseAdd(accept);
        return await client.SendAsync(request);
    }
}
