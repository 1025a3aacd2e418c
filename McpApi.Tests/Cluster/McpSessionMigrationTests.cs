using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Cluster;

/// <summary>
/// Two servers on one PostgreSQL database, as two replicas: a stateful MCP session started on one is taken up by the
/// other (the SDK's session migration over shared storage), only by the caller who opened it, and not after it ended.
/// </summary>
public sealed class McpSessionMigrationTests : IDisposable
{
    private readonly McpApiApplication _first = new(TestStorage.PostgreSql);
    private readonly McpApiApplication _second;

    public McpSessionMigrationTests() => _second = new(TestStorage.PostgreSql, _first.ConnectionString);

    public void Dispose()
    {
        _second.Dispose();
        _first.Dispose();
    }

    [Fact]
    public async Task ASessionInitializedOnOneReplicaKeepsWorkingOnAnother()
    {
        using var first = _first.CreateClient();
        using var second = _second.CreateClient();
        var session = await InitializeAsync(first);

        using var initialized = await PostAsync(second, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        initialized.StatusCode.ShouldBe(HttpStatusCode.Accepted, await initialized.Content.ReadAsStringAsync());
        for (var i = 0; i < 4; i++)
        {
            using var call = await PostAsync(i % 2 == 0 ? second : first, session, ToolCall(10 + i, "echo_echo", new { data = $"hop {i}" }));
            var text = await call.Content.ReadAsStringAsync();
            call.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            call.Headers.GetValues("Mcp-Session-Id").Single().ShouldBe(session);
            var result = Result(text, call);
            result.GetProperty("structuredContent").GetProperty("data").GetProperty("echo").GetProperty("data").GetString().ShouldBe($"hop {i}");
        }
    }

    [Fact]
    public async Task AnEndedSessionIsNotTakenUpAgain()
    {
        using var first = _first.CreateClient();
        using var second = _second.CreateClient();
        var session = await InitializeAsync(first);
        using (var onSecond = await PostAsync(second, session, ToolCall(2, "echo_echo", new { data = "moved" })))
            onSecond.StatusCode.ShouldBe(HttpStatusCode.OK, await onSecond.Content.ReadAsStringAsync());

        using (var end = new HttpRequestMessage(HttpMethod.Delete, "/mcp"))
        {
            end.Headers.Add("Mcp-Session-Id", session);
            end.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            using var ended = await first.SendAsync(end);
            ended.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var after = await PostAsync(first, session, ToolCall(3, "echo_echo", new { data = "after the end" }));
        var body = await after.Content.ReadAsStringAsync();
        after.StatusCode.ShouldBe(HttpStatusCode.NotFound, body);
        body.ShouldContain("Session not found");
    }

    [Fact]
    public async Task ADeleteLandingOnAnotherReplicaEndsTheSessionEverywhere()
    {
        using var first = _first.CreateClient();
        using var second = _second.CreateClient();
        var session = await InitializeAsync(first);
        using (var onFirst = await PostAsync(first, session, ToolCall(2, "echo_echo", new { data = "here" })))
            onFirst.StatusCode.ShouldBe(HttpStatusCode.OK, await onFirst.Content.ReadAsStringAsync());

        // The second replica never held the session: its DELETE still ends it.
        using (var ended = await DeleteAsync(second, session))
            ended.StatusCode.ShouldBe(HttpStatusCode.OK, await ended.Content.ReadAsStringAsync());

        foreach (var (replica, id) in new[] { (first, 3), (second, 4) })
        {
            using var after = await PostAsync(replica, session, ToolCall(id, "echo_echo", new { data = "after the end" }));
            var body = await after.Content.ReadAsStringAsync();
            after.StatusCode.ShouldBe(HttpStatusCode.NotFound, body);
            body.ShouldContain("Session not found");
        }
        using var again = await DeleteAsync(first, session);
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound, await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ASessionTakenUpFromAnotherReplicaCountsAgainstThatReplicasSessionLimit()
    {
        using var limited = new McpApiApplication(TestStorage.PostgreSql, _first.ConnectionString);
        limited.Settings["Mcp:MaxSessions"] = "1";
        using var first = _first.CreateClient();
        using var onLimited = limited.CreateClient();
        var moved = await InitializeAsync(first);
        var other = await InitializeAsync(first);

        using (var takenUp = await PostAsync(onLimited, moved, ToolCall(2, "echo_echo", new { data = "moved" })))
            takenUp.StatusCode.ShouldBe(HttpStatusCode.OK, await takenUp.Content.ReadAsStringAsync());

        // Its one place is taken by the session it took up: neither a new session nor another moved one fits.
        using (var fresh = await PostAsync(onLimited, null,
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"migration","version":"1"}}}"""))
        {
            var body = await fresh.Content.ReadAsStringAsync();
            fresh.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
            body.ShouldContain("Mcp:MaxSessions");
        }
        using (var refused = await PostAsync(onLimited, other, ToolCall(3, "echo_echo", new { data = "no room" })))
        {
            var body = await refused.Content.ReadAsStringAsync();
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
            body.ShouldContain("Mcp:MaxSessions");
        }

        // Ended there, its place is free again: the other session moves in.
        using (var ended = await DeleteAsync(onLimited, moved))
            ended.StatusCode.ShouldBe(HttpStatusCode.OK, await ended.Content.ReadAsStringAsync());
        using var admitted = await PostAsync(onLimited, other, ToolCall(4, "echo_echo", new { data = "room now" }));
        admitted.StatusCode.ShouldBe(HttpStatusCode.OK, await admitted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUnknownSessionIdIsStillNotFound()
    {
        using var second = _second.CreateClient();
        using var response = await PostAsync(second, "no-such-session", ToolCall(1, "echo_echo", new { data = "x" }));
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> InitializeAsync(HttpClient http)
    {
        using var response = await PostAsync(http, null,
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"migration","version":"1"}}}""");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return response.Headers.GetValues("Mcp-Session-Id").Single();
    }

    private static Task<HttpResponseMessage> DeleteAsync(HttpClient http, string session)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, "/mcp");
        request.Headers.Add("Mcp-Session-Id", session);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        return http.SendAsync(request);
    }

    private static string ToolCall(int id, string name, object arguments) =>
        JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method = "tools/call", @params = new { name, arguments } });

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string? session, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        if (session is not null)
            request.Headers.Add("Mcp-Session-Id", session);
        return http.SendAsync(request);
    }

    private static JsonElement Result(string text, HttpResponseMessage response)
    {
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => l[6..]).First()
            : text;
        var message = JsonDocument.Parse(json).RootElement;
        message.TryGetProperty("result", out var result).ShouldBeTrue(json);
        return result.Clone();
    }
}
