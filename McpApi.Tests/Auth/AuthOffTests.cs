using McpApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Auth;

/// <summary>
/// With <c>Auth:Mode=None</c> (the default) authentication costs nothing: no authentication services are registered,
/// so WebApplication does not put its authentication middleware in front of every request on its own.
/// </summary>
public sealed class AuthOffTests
{
    [Fact]
    public async Task WithoutAModeNoAuthenticationServicesAreRegisteredAndRequestsStillWork()
    {
        using var app = new McpApiApplication();
        app.Services.GetService<IAuthenticationSchemeProvider>().ShouldBeNull();
        (await app.CreateClient().PostEnvelopeAsync(new { model = "echo", data = "hi" })).Status.ShouldBe("success");
    }

    [Fact]
    public void WithApiKeyModeTheSchemesAreRegistered()
    {
        using var app = TestKeys.ApiKeyApp();
        app.Services.GetService<IAuthenticationSchemeProvider>().ShouldNotBeNull();
    }
}
