using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Limits;

/// <summary>
/// Issue 10 defect 8: a burst of <c>initialize</c> calls used to evict every other client's idle session, and sessions
/// holding a GET stream were not counted. New sessions are now refused once a client (or the server) holds its share.
/// </summary>
public sealed class McpSessionLimitTests
{
    private const string Initialize = """{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"limit-test","version":"1"}}}""";

    [Fact]
    public async Task AClientPastItsSessionShareIsRefusedAndAnotherClientsSessionSurvives()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Mcp:MaxSessionsPerClient"] = "3",
            ["Mcp:MaxSessions"] = "10",
        });
        using var other = LoopbackSources.CreateClient(server.BaseAddress, LoopbackSources.Other);
        var survivor = await StartSessionAsync(other);

        using var flooder = server.CreateClient();
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
            answers.Add(await PostAsync(flooder, Initialize));

        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(3);
        var refused = answers.Where(a => a.StatusCode != HttpStatusCode.OK).ToList();
        refused.Count.ShouldBe(5);
        refused.ShouldAllBe(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        var error = JsonDocument.Parse(await refused[0].Content.ReadAsStringAsync()).RootElement;
        error.GetProperty("jsonrpc").GetString().ShouldBe("2.0");
        error.GetProperty("id").GetInt32().ShouldBe(7);
        error.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("Mcp:MaxSessionsPerClient");

        (await PostAsync(other, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""", survivor)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await StartSessionAsync(other)).ShouldNotBeNullOrEmpty(); // the other client still gets new sessions
    }

    [Fact]
    public async Task TheOverallCapCountsSessionsHoldingAStreamAndAnEndedSessionFreesItsPlace()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Mcp:MaxSessionsPerClient"] = "10",
            ["Mcp:MaxSessions"] = "3",
        });
        using var client = server.CreateClient();
        var streaming = await StartSessionAsync(client);
        using var stream = await OpenStreamAsync(server, streaming);
        var idle = await StartSessionAsync(client);
        await StartSessionAsync(client);

        var refused = await PostAsync(client, Initialize);

        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("Mcp:MaxSessions");
        (await PostAsync(client, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""", streaming)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PostAsync(client, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""", idle)).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/mcp");
        delete.Headers.Add("Mcp-Session-Id", idle);
        (await client.SendAsync(delete)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await WaitUntilAsync(async () => (await PostAsync(client, Initialize)).StatusCode == HttpStatusCode.OK);
    }

    private static async Task<string> StartSessionAsync(HttpClient client)
    {
        var response = await PostAsync(client, Initialize);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        (await PostAsync(client, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", session)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        return session;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string json, string? session = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (session is not null)
            request.Headers.Add("Mcp-Session-Id", session);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>The session's GET stream, held open (its own client, so the stream keeps a connection to itself).</summary>
    private static async Task<HttpResponseMessage> OpenStreamAsync(ServerProcess server, string session)
    {
        var client = server.CreateClient();
        client.Timeout = Timeout.InfiniteTimeSpan;
        var request = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Mcp-Session-Id", session);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return response;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition())
                return;
            await Task.Delay(100);
        }
        throw new ShouldAssertException("The condition never became true within 10 s.");
    }
}
