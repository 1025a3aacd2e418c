using McpApi.Auth;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace McpApi.Tests.Auth;

/// <summary><c>Auth:Mode=None</c> is refused beyond loopback unless <c>Auth:AllowAnonymous=true</c>.</summary>
public sealed class AnonymousBindTests
{
    [Theory]
    [InlineData("urls", "http://0.0.0.0:8080", "HTTP listens on http://0.0.0.0:8080")]
    [InlineData("urls", "http://*:8080", "HTTP listens on http://*:8080")]
    [InlineData("ASPNETCORE_HTTP_PORTS", "8080", "HTTP listens on http://*:8080")]
    [InlineData("McpApi:Tcp:Address", "*", "the TCP door listens on *:5050")]
    public void NoAuthenticationOnANonLoopbackAddressIsRefusedSayingHowToAddKeys(string setting, string value, string where)
    {
        var result = Validate(new AuthOptions(), (setting == "ASPNETCORE_HTTP_PORTS" ? "HTTP_PORTS" : setting, value));

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldNotBeNull().ShouldContain(where);
        result.FailureMessage.ShouldNotBeNull().ShouldContain("Auth:Mode=ApiKey");
        result.FailureMessage.ShouldNotBeNull().ShouldContain("keys new");
        result.FailureMessage.ShouldNotBeNull().ShouldContain("Auth:AllowAnonymous=true");
    }

    [Fact]
    public void StdioListensOnNothingSoNeedsNoCredential()
    {
        Validate(new AuthOptions(), ("urls", "http://*:8080"), ("Mcp:Stdio", "true")).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void ApiKeyModeWithoutKeysIsRefusedNamingTheCommandThatMakesOne()
    {
        var result = Validate(new AuthOptions { Mode = AuthMode.ApiKey });

        result.FailureMessage.ShouldNotBeNull().ShouldContain("keys new");
    }

    [Fact]
    public void AKeyWithAMalformedHashOrScopeIsRefusedNamingTheSetting()
    {
        var options = new AuthOptions
        {
            Mode = AuthMode.ApiKey,
            ApiKeys = [new ApiKeySetting { Name = "ana", Hash = "the-key-itself", Scopes = ["chat"] }],
        };

        var result = Validate(options);

        result.FailureMessage.ShouldNotBeNull().ShouldContain("Auth:ApiKeys:0:Hash must be the key's SHA-256");
        result.FailureMessage.ShouldNotBeNull().ShouldContain("'chat' is not a scope");
    }

    [Fact]
    public void JwtModeNeedsAnAudienceAndAnAuthorityOrAnIssuerWithAKey()
    {
        var result = Validate(new AuthOptions { Mode = AuthMode.Jwt, Jwt = new JwtSettings { Issuer = "https://issuer.example" } });

        result.FailureMessage.ShouldNotBeNull().ShouldContain("Auth:Jwt:Audience is required");
        result.FailureMessage.ShouldNotBeNull().ShouldContain("Auth:Jwt:Authority");
    }

    private static ValidateOptionsResult Validate(AuthOptions options, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build();
        return new AuthOptionsValidator(configuration).Validate(null, options);
    }

    [Fact]
    public async Task AllowAnonymousRunsOpenOnPurpose()
    {
        using var app = new McpApiApplication();
        app.Settings["urls"] = "http://0.0.0.0:8080";
        app.Settings["Auth:AllowAnonymous"] = "true";

        var reply = await app.CreateClient().PostEnvelopeAsync(new { model = "echo", data = "open" });

        reply.Status.ShouldBe("success");
    }

    [Theory]
    [InlineData("http://localhost:8080")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://[::1]:8080")]
    public async Task LoopbackAddressesNeedNoCredential(string url)
    {
        using var app = new McpApiApplication();
        app.Settings["urls"] = url;

        var reply = await app.CreateClient().PostEnvelopeAsync(new { model = "echo", data = "local" });

        reply.Status.ShouldBe("success");
    }

}
