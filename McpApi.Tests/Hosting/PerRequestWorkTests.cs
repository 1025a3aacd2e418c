using McpApi.Auth;
using McpApi.Limits;
using McpApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpApi.Tests.Hosting;

/// <summary>
/// Work every envelope request used to do for nothing (found in the envelope benchmark's profile: ~1.1 KB more
/// allocated per request than before the limits and authentication landed). Each test names one such cost.
/// </summary>
public sealed class PerRequestWorkTests
{
    [Fact]
    public void TheHostRegistersNoHttpContextAccessorSoRequestsDoNotChangeTheirExecutionContext()
    {
        using var app = new McpApiApplication();

        // With one registered, the host sets it (an AsyncLocal) at the start and end of every request on every door;
        // the MCP door and Swagger set it around their own requests (CurrentRequest).
        app.Services.GetService<IHttpContextAccessor>().ShouldBeNull();
    }

    [Fact]
    public async Task ReadingAnAnonymousHttpCallerCreatesNoPrincipal()
    {
        var http = new DefaultHttpContext();

        var caller = await new CallerAuthentication(Options.Create(new AuthOptions())).CallerAsync(http, "http");

        caller.Identity.ShouldBeNull();
        // HttpContext.User would have created an empty principal and an authentication feature for the request.
        http.Features.Get<IHttpAuthenticationFeature>().ShouldBeNull();
    }

    [Theory]
    [InlineData("127.0.0.1", "/mcp", true, 200, false)]
    [InlineData("::1", "/mcp", true, 200, false)]
    [InlineData("203.0.113.5", "/mcp", true, 200, true)]
    [InlineData("127.0.0.1", "/mcp", false, 200, true)]
    [InlineData("203.0.113.5", "/health/ready", true, 200, false)]
    [InlineData("203.0.113.5", "/mcp", true, 0, false)]
    public void OnlyRequestsTheBudgetCanRefuseGoThroughTheRateLimiter(string address, string path, bool exemptLoopback, int perSecond, bool limited)
    {
        using var limiter = new CallerRateLimiter(Options.Create(new RateLimitOptions { ExemptLoopback = exemptLoopback, RequestsPerSecond = perSecond }));
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address);
        http.Request.Path = path;

        limiter.MayLimit(http).ShouldBe(limited);
        http.Features.Get<IHttpAuthenticationFeature>().ShouldBeNull("deciding reads no principal");
    }
}
