using System.Security.Claims;
using System.Text;
using McpApi.Dispatching;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Authentication;

namespace McpApi.Auth;

/// <summary>
/// Authentication on every door with ASP.NET Core's own schemes: <see cref="ApiKeyAuthenticationHandler"/> for
/// <c>Auth:Mode=ApiKey</c>, JwtBearer (and the MCP SDK's protected-resource metadata) for <c>Jwt</c>. The dispatcher
/// enforces the scopes; the doors only hand it the caller. With <c>Mode=None</c> no middleware runs.
/// </summary>
public static class AuthSetup
{
    public static WebApplicationBuilder AddMcpApiAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<ApiKeys>();
        services.TryAddSingleton<CallerAuthentication>();
        services.TryAddSingleton<CredentialCheck>();
        services.TryAddSingleton<Doors.Sse.SseTickets>();
        services.TryAddSingleton(TimeProvider.System);

        // Registered only when a mode is set: with authentication services present, WebApplication puts its
        // authentication middleware in front of every request on its own, even with no scheme to run (Auth:Mode=None).
        if (!IsModeSet(builder.Configuration))
            return builder;
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer()
            .AddMcp(_ => { });
        services.AddOptions<AuthenticationOptions>().Configure<IOptions<AuthOptions>>((authentication, auth) =>
        {
            switch (auth.Value.Mode)
            {
                case AuthMode.ApiKey:
                    authentication.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
                    break;
                case AuthMode.Jwt:
                    authentication.DefaultAuthenticateScheme = JwtBearerDefaults.AuthenticationScheme;
                    authentication.DefaultChallengeScheme = McpAuthenticationDefaults.AuthenticationScheme;
                    break;
            }
        });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, auth) => ConfigureJwt(jwt, auth.Value));
        services.AddOptions<McpAuthenticationOptions>(McpAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, ModelRegistry>((mcp, auth, registry) =>
            {
                var jwt = auth.Value.Jwt;
                if (auth.Value.Mode != AuthMode.Jwt)
                    return;
                var issuer = string.IsNullOrWhiteSpace(jwt.Authority) ? jwt.Issuer : jwt.Authority;
                mcp.ResourceMetadata = new ProtectedResourceMetadata
                {
                    AuthorizationServers = issuer is null ? [] : [issuer],
                    ScopesSupported = [AccessScope.Any, "*:read", .. registry.Names.Select(m => $"{m}:*")],
                    ResourceName = "McpApi",
                };
            });
        return builder;
    }

    /// <summary>Whether <c>Auth:Mode</c> names a mode other than None (an invalid value is left to the options validator).</summary>
    private static bool IsModeSet(IConfiguration configuration) =>
        configuration[$"{AuthOptions.Section}:{nameof(AuthOptions.Mode)}"] is { Length: > 0 } mode
        && !string.Equals(mode.Trim(), nameof(AuthMode.None), StringComparison.OrdinalIgnoreCase);

    /// <summary>Authenticates every request when a mode is set (MCP needs <c>HttpContext.User</c>; Jwt mode serves the resource metadata).</summary>
    public static WebApplication UseMcpApiAuth(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Required)
            app.UseAuthentication();
        return app;
    }

    /// <summary>JwtBearer from <c>Auth:Jwt</c>; a refused token is logged and counted by <see cref="Limits.AuthFailureGate"/>.</summary>
    private static void ConfigureJwt(JwtBearerOptions jwt, AuthOptions auth)
    {
        if (auth.Mode != AuthMode.Jwt)
            return;
        var settings = auth.Jwt;
        jwt.MapInboundClaims = false;
        jwt.Audience = settings.Audience;
        jwt.TokenValidationParameters.ValidAudience = settings.Audience;
        jwt.TokenValidationParameters.NameClaimType = settings.NameClaim;
        if (!string.IsNullOrWhiteSpace(settings.Authority))
        {
            jwt.Authority = settings.Authority;
            jwt.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        }
        else
        {
            jwt.TokenValidationParameters.ValidIssuer = settings.Issuer;
            jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(settings.SigningKey!));
        }
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var principal = context.Principal!;
                if (JwtCaller.From(principal, settings) is { } caller)
                    context.Principal = new ClaimsPrincipal(new CallerClaimsIdentity(caller, JwtBearerDefaults.AuthenticationScheme, principal.Claims));
                else
                    context.Fail(JwtCaller.NoName(settings));
                return Task.CompletedTask;
            },
        };
    }
}
