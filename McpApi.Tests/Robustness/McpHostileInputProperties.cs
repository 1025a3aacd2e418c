using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using McpApi.Tests.Infrastructure;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace McpApi.Tests.Robustness;

/// <summary>The server for the MCP property suite over Streamable HTTP: sessions are not capped low enough to get in the way.</summary>
public sealed class McpPropertyServerFixture : IDisposable
{
    internal RealtimeServer Server { get; } = new(new()
    {
        ["McpApi:MaxRequestBytes"] = "65536",
        ["Mcp:MaxSessions"] = "1000000",
        ["Mcp:MaxSessionsPerClient"] = "1000000",
        ["Serilog:MinimumLevel:Default"] = "Warning",
    });

    public void Dispose() => Server.Dispose();
}

/// <summary>
/// Property-based tests (FsCheck) of the MCP doors: generated hostile and near-valid JSON-RPC (<see cref="HostileJsonRpc"/>)
/// over Streamable HTTP (POST /mcp, in a session and without one) and over stdio (one long-lived
/// <c>dotnet McpApi.dll --stdio</c> process fed every case as a line). Properties: never a 5xx; every answer is a
/// JSON-RPC 2.0 message with a result or an error with an integer code; a request with a string or integer id is
/// answered with that id, an unknown method with an error; never a hang (a bounded wait per case); the stdio process
/// stays alive and answers a ping after every line. Seeded like <see cref="HostileInputProperties"/>:
/// MCPAPI_PROPERTY_SEED replays a run, MCPAPI_PROPERTY_CASES sets the cases per door (default 10,000).
/// </summary>
public sealed class McpHostileInputProperties(McpPropertyServerFixture fixture, ITestOutputHelper output) : IClassFixture<McpPropertyServerFixture>
{
    /// <summary>Generous for a loaded 2-core machine: a hang is a minute of silence, not a slow answer.</summary>
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public Task StreamableHttpAnswersHostileJsonRpcWithJsonRpcAndNever5xx() => RunAsync("http", async () =>
    {
        var http = _http = new HttpClient { BaseAddress = fixture.Server.BaseAddress, Timeout = CaseTimeout };
        var session = await InitializeAsync(http);
        var counter = 0;
        return message =>
        {
            // Every third case without the session: served per request, or refused with a JSON-RPC error.
            var reply = PostAsync(http, message.Bytes, counter++ % 3 == 2 ? null : session).GetAwaiter().GetResult();
            return reply;
        };
    });

    [Fact]
    public Task StdioAnswersEveryRequestLineAndStaysAlive() => RunAsync("stdio", () =>
    {
        var database = Path.Combine(Directory.CreateTempSubdirectory("mcpapi-pb-stdio-").FullName, "mcpapi.db");
        var server = StdioServer.Start("dotnet", [ServerProcess.ServerDll, "--stdio"], new Dictionary<string, string>
        {
            ["ConnectionStrings__McpApi"] = $"Data Source={database}",
            ["Serilog__MinimumLevel__Default"] = "Error",
        });
        _stdio = server;
        server.SendAsync("""{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"pb","version":"1"}}}""").GetAwaiter().GetResult();
        server.ReadMessageAsync().GetAwaiter().GetResult().GetProperty("id").GetString().ShouldBe("init");
        server.SendAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""").GetAwaiter().GetResult();
        var probe = 0;
        return Task.FromResult<Func<JsonRpcCase, McpReply>>(message => StdioCaseAsync(server, message, $"probe-{probe++}").GetAwaiter().GetResult());
    });

    private StdioServer? _stdio;
    private HttpClient? _http;

    private async Task RunAsync(string door, Func<Task<Func<JsonRpcCase, McpReply>>> open)
    {
        var seed = Environment.GetEnvironmentVariable("MCPAPI_PROPERTY_SEED") is { Length: > 0 } given
            ? ulong.Parse(given)
            : (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        var cases = int.TryParse(Environment.GetEnvironmentVariable("MCPAPI_PROPERTY_CASES"), out var n) ? n : 10_000;
        var clock = Stopwatch.StartNew();
        var ran = 0;
        var answered = 0;
        var errors = 0;
        try
        {
            // FsCheck runs the cases synchronously: off the test framework's synchronization context, on the thread pool.
            await Task.Run(async () =>
            {
                var send = await open();
                var property = Prop.ForAll(HostileJsonRpc.For(door), (JsonRpcCase message) =>
                {
                    ran++;
                    var reply = send(message);
                    Answered(door, message, reply);
                    if (reply.Messages.Count > 0)
                        answered++;
                    errors += reply.Messages.Count(m => m.TryGetProperty("error", out _));
                });
                var config = Config.QuickThrowOnFailure
                    .WithMaxTest(cases)
                    .WithQuietOnSuccess(true)
                    .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
                try
                {
                    Check.One(config, property);
                }
                catch (Exception ex)
                {
                    var stderr = _stdio is { } stdio ? "\nstderr: " + stdio.StderrSoFar() : "";
                    throw new ShouldAssertException($"MCP door {door} failed after {ran} cases; replay with MCPAPI_PROPERTY_SEED={seed}.\n{ex.Message}{stderr}", ex);
                }
            });
        }
        finally
        {
            _stdio?.Dispose();
            _http?.Dispose();
        }

        ran.ShouldBeGreaterThanOrEqualTo(cases);
        var summary = $"MCP door {door}: {ran} generated cases (seed {seed}), {answered} answered, {errors} JSON-RPC errors, {clock.Elapsed.TotalSeconds:0.0} s";
        output.WriteLine(summary);
        Console.WriteLine(summary);
    }

    private static void Answered(string door, JsonRpcCase message, McpReply reply)
    {
        var what = $"{message} -> {reply}";
        if (door == "http")
            reply.HttpStatus!.Value.ShouldBeLessThan(500, what);
        foreach (var answer in reply.Messages)
        {
            answer.ValueKind.ShouldBe(JsonValueKind.Object, what);
            answer.TryGetProperty("jsonrpc", out var version).ShouldBeTrue(what);
            version.GetString().ShouldBe("2.0", what);
            if (answer.TryGetProperty("error", out var error))
                error.GetProperty("code").ValueKind.ShouldBe(JsonValueKind.Number, what);
            else if (answer.TryGetProperty("id", out _))
                answer.TryGetProperty("result", out _).ShouldBeTrue(what);
        }
        if (door == "http" && reply.HttpStatus >= 400)
            reply.Messages.Any(IsError).ShouldBeTrue($"a {reply.HttpStatus} without a JSON-RPC error: {what}");
        // Over HTTP a request refused before it reaches JSON-RPC (no session, 4xx) gets an error without its id.
        if (message.Id is { } id && (door == "stdio" || reply.HttpStatus < 400))
        {
            var mine = reply.Messages.Where(m => IdOf(m) == id).ToList();
            mine.ShouldNotBeEmpty($"request {id} not answered: {what}");
            if (message.UnknownMethod)
                mine.All(IsError).ShouldBeTrue(what);
        }
    }

    private static bool IsError(JsonElement message) => message.TryGetProperty("error", out _);

    private static string? IdOf(JsonElement message) =>
        message.TryGetProperty("id", out var id)
            ? id.ValueKind switch
            {
                JsonValueKind.String => id.GetString(),
                JsonValueKind.Number when id.TryGetInt64(out var n) => n.ToString(),
                _ => null,
            }
            : null;

    private static async Task<string> InitializeAsync(HttpClient http)
    {
        var reply = await PostAsync(http, Encoding.UTF8.GetBytes(
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"pb","version":"1"}}}"""), null);
        reply.HttpStatus.ShouldBe(200, reply.ToString());
        var session = reply.SessionId.ShouldNotBeNull();
        (await PostAsync(http, Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"notifications/initialized"}"""), session)).HttpStatus.ShouldBe(202);
        return session;
    }

    private static async Task<McpReply> PostAsync(HttpClient http, byte[] body, string? session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        }
        using var timeout = new CancellationTokenSource(CaseTimeout);
        using var response = await http.SendAsync(request, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        var sessionId = response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.FirstOrDefault() : null;
        var messages = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(line => line.StartsWith("data:", StringComparison.Ordinal)).Select(line => line[5..].Trim())
                .Where(data => data.Length > 0).Select(Parse).ToList()
            : text.Length > 0 ? [Parse(text)] : [];
        return new McpReply((int)response.StatusCode, messages, text, sessionId);

        JsonElement Parse(string json)
        {
            try
            {
                return JsonDocument.Parse(json).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new ShouldAssertException($"{(int)response.StatusCode} answer is not JSON: {json[..Math.Min(json.Length, 400)]}");
            }
        }
    }

    /// <summary>Sends the case's line, then a ping; reads until the ping is answered (and the case's own answer, if due).</summary>
    private static async Task<McpReply> StdioCaseAsync(StdioServer server, JsonRpcCase message, string probe)
    {
        await server.SendAsync(message.Bytes);
        await server.SendAsync($$"""{"jsonrpc":"2.0","id":"{{probe}}","method":"ping"}""");
        var messages = new List<JsonElement>();
        var deadline = Stopwatch.StartNew();
        var probed = false;
        while (!probed || (message.Id is { } id && !messages.Any(m => IdOf(m) == id)))
        {
            var left = CaseTimeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new ShouldAssertException($"no answer within {CaseTimeout.TotalSeconds} s (hang): {message}; got {messages.Count} messages");
            var next = await server.ReadLineAsync(left)
                ?? throw new ShouldAssertException($"the stdio server closed stdout (exited) after: {message}");
            JsonElement parsed;
            try
            {
                parsed = JsonDocument.Parse(next).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new ShouldAssertException($"stdout line is not JSON: {next[..Math.Min(next.Length, 400)]} after {message}");
            }
            if (IdOf(parsed) == probe)
            {
                parsed.TryGetProperty("result", out _).ShouldBeTrue($"ping answered with {next}");
                probed = true;
            }
            else
            {
                messages.Add(parsed);
            }
        }
        return new McpReply(null, messages, string.Join("\n", messages.Select(m => m.GetRawText())), null);
    }
}

/// <summary>What an MCP door answered to one message: the HTTP status (HTTP only) and the JSON-RPC messages.</summary>
internal sealed record McpReply(int? HttpStatus, IReadOnlyList<JsonElement> Messages, string Raw, string? SessionId)
{
    public override string ToString() => $"{HttpStatus?.ToString() ?? "-"} {Raw[..Math.Min(Raw.Length, 400)]}";
}
