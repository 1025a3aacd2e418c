using System.Net;
using System.Text;
using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Hosting;
using McpApi.Limits;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace McpApi.Tests.Limits;

/// <summary>
/// Per-caller budgets (<c>RateLimits</c>): requests on HTTP through ASP.NET Core's rate limiter, writes through the
/// dispatcher on every door, per identity or client address. A budget is spent by sending until the first refusal
/// (bounded), so no test depends on how fast the machine is.
/// </summary>
public sealed class CallerRateLimitTests
{
    private const int Attempts = 60;

    private static McpApiApplication App(params (string Key, string Value)[] settings)
    {
        var app = new McpApiApplication
        {
            Configure = services =>
            {
                TestCallers.AddTo(services);
                services.AddModel<CallerModel>();
            },
        };
        app.Settings["RateLimits:ExemptLoopback"] = "false";
        foreach (var (key, value) in settings)
            app.Settings[key] = value;
        return app;
    }

    private static object StateSet(int value) => new { model = "state", action = "set", context = "limits", data = new { key = "k", value } };

    /// <summary>Sends until the first answer that is not 200; returns it and how many passed before it.</summary>
    private static async Task<(HttpResponseMessage Refusal, int Passed)> SpendAsync(Func<int, Task<HttpResponseMessage>> send)
    {
        for (var i = 0; i < Attempts; i++)
        {
            var response = await send(i);
            if (response.StatusCode != HttpStatusCode.OK)
                return (response, i);
        }
        throw new ShouldAssertException($"No refusal within {Attempts} requests.");
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, object envelope) =>
        client.PostAsync("/mcp", new StringContent(JsonSerializer.Serialize(envelope), Encoding.UTF8, "application/json"));

    [Fact]
    public async Task RequestsOverTheBudgetGet429RateLimitedWithRetryAfterInTheHeaderAndTheEnvelope()
    {
        using var app = App(("RateLimits:RequestsPerSecond", "1"), ("RateLimits:RequestBurst", "3"));
        var client = app.CreateClient();

        var (refusal, passed) = await SpendAsync(_ => PostAsync(client, new { model = "echo" }));

        passed.ShouldBeGreaterThanOrEqualTo(3);
        var reply = await EnvelopeClient.ReadAsync(refusal);
        reply.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        reply.Code.ShouldBe(ErrorCodes.RateLimited);
        reply.Message.ShouldContain("RateLimits:RequestsPerSecond");
        var retryAfter = int.Parse(refusal.Headers.GetValues("Retry-After").Single());
        retryAfter.ShouldBeGreaterThanOrEqualTo(1);
        reply.Data.GetProperty("retryAfterSeconds").GetInt32().ShouldBe(retryAfter);
    }

    [Fact]
    public async Task HealthIsNeverRateLimited()
    {
        using var app = App(("RateLimits:RequestsPerSecond", "1"), ("RateLimits:RequestBurst", "1"));
        var client = app.CreateClient();
        await SpendAsync(_ => PostAsync(client, new { model = "echo" }));

        for (var i = 0; i < 5; i++)
            (await client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task McpRequestsOverTheBudgetGetAJsonRpcErrorWithRetryAfter()
    {
        using var app = App(("RateLimits:RequestsPerSecond", "1"), ("RateLimits:RequestBurst", "2"));
        var client = app.CreateClient();
        const string initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""";

        var (refusal, _) = await SpendAsync(_ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(initialize, Encoding.UTF8, "application/json") };
            request.Headers.Add("Accept", "application/json, text/event-stream");
            return client.SendAsync(request);
        });

        refusal.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refusal.Headers.GetValues("Retry-After").Single().ShouldNotBeNullOrEmpty();
        var body = await EnvelopeClient.ReadJsonAsync(refusal);
        body.GetProperty("jsonrpc").GetString().ShouldBe("2.0");
        var error = body.GetProperty("error");
        error.GetProperty("code").GetInt32().ShouldBe(LimitRefusals.McpRateLimited);
        error.GetProperty("message").GetString()!.ShouldContain("RateLimits:RequestsPerSecond");
        error.GetProperty("data").GetProperty("code").GetString().ShouldBe(ErrorCodes.RateLimited);
        error.GetProperty("data").GetProperty("retryAfterSeconds").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task WritesOverTheWriteBudgetAreRefusedAndNotWrittenWhileReadsStillPass()
    {
        using var app = App(("RateLimits:WritesPerSecond", "1"), ("RateLimits:WriteBurst", "2"));
        var client = app.CreateClient();

        var (refusal, passed) = await SpendAsync(i => PostAsync(client, StateSet(i)));

        passed.ShouldBeGreaterThanOrEqualTo(2);
        var reply = await EnvelopeClient.ReadAsync(refusal);
        reply.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        reply.Code.ShouldBe(ErrorCodes.RateLimited);
        reply.Message.ShouldContain("RateLimits:WritesPerSecond");
        reply.Message.ShouldContain("state set");
        refusal.Headers.RetryAfter.ShouldNotBeNull();
        var stored = await client.PostEnvelopeAsync(new { model = "state", action = "get", context = "limits", data = new { key = "k" } });
        stored.StatusCode.ShouldBe(HttpStatusCode.OK, stored.ToString());
        stored.Data.GetProperty("value").GetInt32().ShouldBe(passed - 1, "the refused write must not be stored");
    }

    [Fact]
    public async Task EachClientAddressAndEachIdentityHasItsOwnBudget()
    {
        using var app = App(("RateLimits:WritesPerSecond", "1"), ("RateLimits:WriteBurst", "5"));
        var first = TestCallers.Client(app, address: "10.0.0.1");
        await SpendAsync(i => PostAsync(first, StateSet(i)));

        // A full burst each: had they shared the first client's budget, they would need seconds of refill for it.
        foreach (var other in new[] { TestCallers.Client(app, address: "10.0.0.2"), TestCallers.Client(app, address: "10.0.0.1", user: "ana") })
        {
            for (var i = 0; i < 5; i++)
                (await other.PostEnvelopeAsync(StateSet(i))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task CallersOnThisMachineAreNotLimitedByDefault()
    {
        using var app = new McpApiApplication();
        app.Settings["RateLimits:WritesPerSecond"] = "1";
        app.Settings["RateLimits:WriteBurst"] = "1";
        app.Settings["RateLimits:RequestsPerSecond"] = "1";
        app.Settings["RateLimits:RequestBurst"] = "1";
        var client = app.CreateClient();

        for (var i = 0; i < 20; i++)
            (await client.PostEnvelopeAsync(StateSet(i))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task McpToolWritesAreChargedToTheSameWriteBudget()
    {
        using var app = App(("RateLimits:WritesPerSecond", "1"), ("RateLimits:WriteBurst", "2"));
        await using var mcp = await app.ConnectAsync();

        for (var i = 0; i < Attempts; i++)
        {
            var result = await mcp.CallToolAsync("state_set", new Dictionary<string, object?>
            {
                ["context"] = "limits",
                ["data"] = new { key = "k", value = i },
            }, cancellationToken: TestContext.Timeout);
            if (result.IsError != true)
                continue;
            var envelope = result.Structured();
            envelope.GetProperty("data").GetProperty("code").GetString().ShouldBe(ErrorCodes.RateLimited, envelope.ToString());
            envelope.GetProperty("data").GetProperty("retryAfterSeconds").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
            return;
        }
        throw new ShouldAssertException($"No refusal within {Attempts} tool calls.");
    }

    [Fact]
    public async Task HttpAndMcpCallsReachTheDispatcherWithTheCallersAddressAndIdentity()
    {
        using var app = App();
        var http = TestCallers.Client(app, address: "10.0.0.7", user: "ana");
        var fromHttp = await http.PostEnvelopeAsync(new { model = "caller", action = "who" });
        await using var mcp = await McpClients.ConnectAsync(TestCallers.Client(app, address: "10.0.0.8"));
        var fromMcp = (await mcp.CallToolAsync("caller_who", new Dictionary<string, object?>(), cancellationToken: TestContext.Timeout)).Structured();

        fromHttp.Data.GetString().ShouldBe("ana@10.0.0.7");
        fromMcp.GetProperty("data").GetString().ShouldBe("(anonymous)@10.0.0.8");
    }

    [Fact]
    public void TheDefaultsAreValidAndBadSettingsNameTheSetting()
    {
        new RateLimitOptionsValidator().Validate(null, new RateLimitOptions()).Succeeded.ShouldBeTrue();
        var result = new RateLimitOptionsValidator().Validate(null, new RateLimitOptions
        {
            RequestsPerSecond = -1,
            WritesPerSecond = 10,
            WriteBurst = 5,
            AuthFailureWindowSeconds = 0,
        });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("RateLimits:RequestsPerSecond is -1; set it between 0 and 1000000");
        result.FailureMessage.ShouldContain("RateLimits:WriteBurst is 5, below WritesPerSecond (10)");
        result.FailureMessage.ShouldContain("RateLimits:AuthFailureWindowSeconds is 0");
    }

    /// <summary>Answers with who the dispatcher thinks the caller is: identity@address.</summary>
    private sealed class CallerModel : IModelHandler
    {
        public string Name => "caller";

        public string Description => "Test-only: who is calling?";

        public IReadOnlyList<ModelAction> Actions { get; } =
        [
            ModelAction.For<NoContext, NoData, string>("who", "Returns identity@address.",
                static (call, _) => ValueTask.FromResult(new ModelResult<string>("Caller",
                    $"{call.Caller.User?.Identity?.Name ?? "(anonymous)"}@{call.Caller.ClientAddress}"))) with { ReadOnly = true },
        ];
    }
}
