using System.Net;
using System.Net.Http.Headers;
using System.Text;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Mcp;

/// <summary>DNS-rebinding protection: foreign Host or Origin headers are refused with a body that says how to allow them.</summary>
public sealed class OriginAndHostTests
{
    private const string Ping = """{"jsonrpc":"2.0","id":1,"method":"ping"}""";

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
