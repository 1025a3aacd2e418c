using System.Net;
using System.Security.Claims;
using System.Text;
using McpApi.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpApi.Tests.Auth;

/// <summary><c>Auth:Mode=Jwt</c> with an issuer and a shared signing key: identity from <c>sub</c>, scopes from <c>scope</c>.</summary>
public sealed class JwtAuthTests
{
    private const string Issuer = "https://issuer.test";
    private const string Audience = "mcpapi";
    private const string SigningKey = "a-test-signing-key-of-at-least-32-bytes!";

    private static McpApiApplication JwtApp()
    {
        var app = new McpApiApplication();
        app.Settings["Auth:Mode"] = "Jwt";
        app.Settings["Auth:Jwt:Issuer"] = Issuer;
        app.Settings["Auth:Jwt:Audience"] = Audience;
        app.Settings["Auth:Jwt:SigningKey"] = SigningKey;
        return app;
    }

    internal static string Token(string subject, string scope, string key = SigningKey, string audience = Audience, DateTime? expires = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", scope)]),
            NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            IssuedAt = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });

    public static TheoryData<string, string> RefusedTokens() => new()
    {
        { "wrong signature", "signature is not valid" },
        { "wrong audience", "another audience" },
        { "expired", "has expired" },
        { "not a token", "not valid" },
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task ARefusedTokenIs401SayingWhyAndWritesNothing(string kind, string reason)
    {
        using var app = JwtApp();
        var token = kind switch
        {
            "wrong signature" => Token("ana", "*", key: "another-signing-key-of-at-least-32-bytes"),
            "wrong audience" => Token("ana", "*", audience: "someone-else"),
            "expired" => Token("ana", "*", expires: DateTime.UtcNow.AddHours(-1)),
            _ => "not-a-token",
        };

        using var response = await app.CreateClient().WithKey(token).PostAsync("/mcp", new StringContent("""{"model":"notes","action":"add","data":"x"}""", Encoding.UTF8, "application/json"));
        var reply = await EnvelopeClient.ReadAsync(response);

        reply.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        reply.Code.ShouldBe("unauthenticated");
        reply.Message.ShouldContain(reason);
        response.Headers.WwwAuthenticate.ToString().ShouldContain("resource_metadata");
        var list = await app.CreateClient().WithKey(Token("admin", "*")).PostEnvelopeAsync(new { model = "notes", action = "list" });
        list.Data.GetProperty("notes").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task AValidTokenActsAsItsSubjectWithinItsScopes()
    {
        using var app = JwtApp();
        var ana = app.CreateClient().WithKey(Token("ana", "openid chat:send notes:read"));

        var sent = await ana.PostEnvelopeAsync(new { model = "chat", action = "send", data = "hi" });
        var forbidden = await ana.PostEnvelopeAsync(new { model = "notes", action = "add", data = "x" });

        sent.Status.ShouldBe("success", sent.ToString());
        sent.Data.GetProperty("user").GetString().ShouldBe("ana");
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        forbidden.Data.GetProperty("requiredScope").GetString().ShouldBe("notes:add");
    }

    [Fact]
    public async Task McpWithoutATokenPointsToTheProtectedResourceMetadata()
    {
        using var app = JwtApp();
        var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        var metadataUrl = System.Text.RegularExpressions.Regex.Match(challenge, "resource_metadata=\"([^\"]+)\"").Groups[1].Value;
        var metadata = await client.GetJsonAsync(new Uri(metadataUrl).PathAndQuery);
        var root = await client.GetAsync("/.well-known/oauth-protected-resource");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        metadataUrl.ShouldContain("/.well-known/oauth-protected-resource");
        metadata.GetProperty("authorization_servers")[0].GetString().ShouldBe(Issuer);
        metadata.GetProperty("resource").GetString()!.ShouldEndWith("/mcp");
        root.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheMcpClientWithABearerTokenSeesOnlyItsTools()
    {
        using var app = JwtApp();
        await using var mcp = await McpClients.ConnectAsync(app.CreateClient().WithKey(Token("ana", "state:read")));

        var tools = (await mcp.ListToolsAsync(cancellationToken: TestContext.Timeout)).Select(t => t.Name).ToList();

        tools.ShouldBe(["state_get", "state_list", "state_namespaces"], ignoreOrder: true);
    }

    [Fact]
    public async Task AWebSocketAuthMessageMayCarryAToken()
    {
        using var server = new RealtimeServer(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Jwt", ["Auth:Jwt:Issuer"] = Issuer, ["Auth:Jwt:Audience"] = Audience, ["Auth:Jwt:SigningKey"] = SigningKey,
        });
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());

        var expired = await ws.ReplyAsync(new { model = "auth", data = new { key = Token("ana", "*", expires: DateTime.UtcNow.AddHours(-1)) } });
        var auth = await ws.ReplyAsync(new { model = "auth", data = new { key = Token("ana", "chat:*") } });

        expired.GetProperty("message").GetString()!.ShouldContain("has expired");
        auth.GetProperty("data").GetProperty("name").GetString().ShouldBe("ana");
    }

    /// <summary>
    /// The token half of the matrix on the doors beyond the envelope: MCP over HTTP, a WebSocket's and a TCP
    /// connection's auth message, and an event stream's headers — each refused token, a token without the scope and
    /// one with it; nothing is written by a refused call. (Keys on every door: ApiKeyEnvelopeTests, RealtimeAuthTests.)
    /// </summary>
    [Theory]
    [InlineData("wrong signature", "signature is not valid")]
    [InlineData("wrong audience", "another audience")]
    [InlineData("expired", "has expired")]
    [InlineData("no scope", "notes:add")]
    [InlineData("scope", null)]
    public async Task EveryDoorTreatsATokenAlike(string kind, string? refusal)
    {
        using var server = new RealtimeServer(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Jwt", ["Auth:Jwt:Issuer"] = Issuer, ["Auth:Jwt:Audience"] = Audience, ["Auth:Jwt:SigningKey"] = SigningKey,
        });
        var token = kind switch
        {
            "wrong signature" => Token("ana", "*", key: "another-signing-key-of-at-least-32-bytes"),
            "wrong audience" => Token("ana", "*", audience: "someone-else"),
            "expired" => Token("ana", "*", expires: DateTime.UtcNow.AddHours(-1)),
            "no scope" => Token("ana", "chat:* state:read"),
            _ => Token("ana", "notes:* chat:*"),
        };
        var forbidden = kind == "no scope";
        var served = refusal is null;
        var add = new { model = "notes", action = "add", context = "matrix", data = "x" };

        // MCP over Streamable HTTP: a refused token gets no session at all; a token without the scope gets the tool refused.
        if (forbidden || served)
        {
            await using var mcp = await McpClients.ConnectAsync(server.CreateClient().WithKey(token));
            var tools = (await mcp.ListToolsAsync(cancellationToken: TestContext.Timeout)).Select(t => t.Name).ToList();
            if (served)
            {
                var result = await mcp.CallToolAsync("notes_add", new Dictionary<string, object?> { ["context"] = "matrix", ["data"] = "via mcp" }, cancellationToken: TestContext.Timeout);
                result.IsError.ShouldNotBe(true, result.Structured().ToString());
            }
            else
            {
                tools.ShouldNotContain("notes_add");
                var refused = await Should.ThrowAsync<ModelContextProtocol.McpProtocolException>(() =>
                    mcp.CallToolAsync("notes_add", new Dictionary<string, object?> { ["context"] = "matrix", ["data"] = "via mcp" }, cancellationToken: TestContext.Timeout).AsTask());
                ((int)refused.ErrorCode).ShouldBe(-32003);
            }
        }
        else
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
            {
                Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await server.CreateClient().SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            response.Headers.Contains("Mcp-Session-Id").ShouldBeFalse();
        }

        // WebSocket and TCP: the first message authenticates; then the write.
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());
        var wsAuth = await ws.ReplyAsync(new { model = "auth", data = new { key = token } });
        var wsAdd = await ws.ReplyAsync(add);
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);
        var tcpAuth = await tcp.ReplyAsync(System.Text.Json.JsonSerializer.Serialize(new { model = "auth", data = new { key = token } }));
        var tcpAdd = await tcp.ReplyAsync(System.Text.Json.JsonSerializer.Serialize(add));
        // An event stream on notes:matrix takes the token in its headers.
        using var stream = await server.CreateClient().WithKey(token).GetAsync("/mcp/events?topics=notes:matrix", HttpCompletionOption.ResponseHeadersRead);

        foreach (var (auth, write) in new[] { (wsAuth, wsAdd), (tcpAuth, tcpAdd) })
        {
            if (refusal is null || forbidden)
            {
                auth.GetProperty("status").GetString().ShouldBe("success", auth.ToString());
                auth.GetProperty("data").GetProperty("name").GetString().ShouldBe("ana");
            }
            else
            {
                auth.GetProperty("data").GetProperty("code").GetString().ShouldBe("unauthenticated", auth.ToString());
                auth.GetProperty("message").GetString()!.ShouldContain(refusal);
            }
            var expected = served ? null : forbidden ? "forbidden" : "unauthenticated";
            if (expected is null)
                write.GetProperty("status").GetString().ShouldBe("success", write.ToString());
            else
                write.GetProperty("data").GetProperty("code").GetString().ShouldBe(expected, write.ToString());
            if (forbidden)
                write.GetProperty("message").GetString()!.ShouldContain(refusal!);
        }
        stream.StatusCode.ShouldBe(served ? HttpStatusCode.OK : forbidden ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized);
        var stored = await server.CreateClient().WithKey(Token("admin", "*")).PostEnvelopeAsync(new { model = "notes", action = "list", context = "matrix" });
        stored.Data.GetProperty("notes").GetArrayLength().ShouldBe(served ? 3 : 0, "a refused call writes nothing");
    }
}
