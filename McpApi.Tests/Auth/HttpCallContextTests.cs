using System.Net;
using System.Security.Claims;
using McpApi.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace McpApi.Tests.Auth;

/// <summary>Every HTTP-based door builds its call context in one place: door, trace id, the request's caller and client address.</summary>
public sealed class HttpCallContextTests
{
    [Theory]
    [InlineData("http")]
    [InlineData("sse")]
    [InlineData("ws")]
    public async Task TheCallContextOfAnHttpRequestCarriesItsDoorTraceIdCallerAndClientAddress(string door)
    {
        var authentication = new CallerAuthentication(Options.Create(new AuthOptions()));
        var http = new DefaultHttpContext
        {
            TraceIdentifier = "0HN7:00000042",
            User = new ClaimsPrincipal(new CallerClaimsIdentity(new CallerIdentity("ana", ScopeSet.Everything), "Test")),
        };
        http.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.9");

        var caller = await authentication.CallerAsync(http, door);

        caller.Door.ShouldBe(door);
        caller.TraceId.ShouldBe("0HN7:00000042");
        caller.Identity.ShouldNotBeNull().Name.ShouldBe("ana");
        caller.ClientAddress.ShouldBe(IPAddress.Parse("203.0.113.9"));
        caller.CredentialProblem.ShouldBeNull();
    }
}
