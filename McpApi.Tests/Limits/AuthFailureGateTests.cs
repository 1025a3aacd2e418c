using System.Net;
using McpApi.Dispatching;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Limits;

/// <summary>
/// HTTP requests whose credential is refused (401) are logged at Warning without the credential and counted per client
/// address; past <c>RateLimits:AuthFailuresPerWindow</c> the address's credentials get 429 before they are checked.
/// </summary>
public sealed class AuthFailureGateTests
{
    private const string Secret = "sekrit-key-0123456789";

    /// <summary>Test-only: refuses every call with 401, as an authentication handler does for a wrong key.</summary>
    private sealed class LockedModel : IModelHandler
    {
        public string Name => "locked";

        public string Description => "Test-only: always 401.";

        public IReadOnlyList<ModelAction> Actions { get; } =
        [
            ModelAction.For<NoContext, NoData, string>("open", "Always refuses.",
                static (_, _) => throw new RequestError(401, "unauthenticated", "The key is not valid.")) with { ReadOnly = true },
        ];
    }

    private static McpApiApplication App(LogCollector logs) => new()
    {
        Configure = services =>
        {
            TestCallers.AddTo(services);
            services.AddModel<LockedModel>();
            services.AddSingleton<ILogEventSink>(logs);
        },
        Settings = { ["RateLimits:AuthFailuresPerWindow"] = "3", ["RateLimits:AuthFailureWindowSeconds"] = "3600" },
    };

    private static HttpClient WithKey(McpApiApplication app, string address)
    {
        var client = TestCallers.Client(app, address: address);
        client.DefaultRequestHeaders.Add("X-Api-Key", Secret);
        return client;
    }

    [Fact]
    public async Task ABurstOfRefusedCredentialsFromOneAddressIsRateLimitedAndLoggedWithoutTheSecret()
    {
        var logs = new LogCollector();
        using var app = App(logs);
        var client = WithKey(app, "198.51.100.4");

        for (var i = 0; i < 3; i++)
            (await client.PostEnvelopeAsync(new { model = "locked", action = "open" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var response = await client.PostAsync("/mcp", new StringContent("""{"model":"locked","action":"open"}""", System.Text.Encoding.UTF8, "application/json"));

        var blocked = await EnvelopeClient.ReadAsync(response);
        blocked.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, blocked.ToString());
        blocked.Code.ShouldBe(ErrorCodes.RateLimited);
        blocked.Message.ShouldContain("RateLimits:AuthFailuresPerWindow");
        int.Parse(response.Headers.GetValues("Retry-After").Single()).ShouldBeGreaterThan(3500);

        var failures = logs.Events.Where(e => e.MessageTemplate.Text.StartsWith("Authentication failed", StringComparison.Ordinal)).ToList();
        failures.Count.ShouldBe(3);
        failures.ShouldAllBe(e => e.Level == LogEventLevel.Warning);
        failures[0].RenderMessage().ShouldContain("198.51.100.4");
        failures[0].RenderMessage().ShouldContain("X-Api-Key header refused on POST /mcp");
        logs.Events.ShouldContain(e => e.MessageTemplate.Text.StartsWith("Blocking credentials", StringComparison.Ordinal));
        logs.Events.ShouldNotContain(e => e.RenderMessage(null).Contains(Secret) || e.Properties.Values.Any(v => v.ToString().Contains(Secret)));
    }

    [Fact]
    public async Task ABlockedAddressStillGetsAnswersWithoutACredentialAndOtherAddressesAreNotBlocked()
    {
        using var app = App(new LogCollector());
        var client = WithKey(app, "198.51.100.5");
        for (var i = 0; i < 4; i++)
            await client.PostEnvelopeAsync(new { model = "locked", action = "open" });
        (await client.PostEnvelopeAsync(new { model = "echo" })).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        (await TestCallers.Client(app, address: "198.51.100.5").PostEnvelopeAsync(new { model = "echo" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await WithKey(app, "198.51.100.6").PostEnvelopeAsync(new { model = "echo" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
