using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// Lets an in-memory test be any caller: <c>X-Test-Client: 10.0.0.1</c> sets the connection's client address and
/// <c>X-Test-User: ana</c> makes the request authenticated as <c>ana</c> (test-only; runs before the app's middleware).
/// </summary>
internal sealed class TestCallers : IStartupFilter
{
    public const string ClientHeader = "X-Test-Client";
    public const string UserHeader = "X-Test-User";

    public static void AddTo(IServiceCollection services) => services.AddSingleton<IStartupFilter, TestCallers>();

    public static HttpClient Client(McpApiApplication app, string? address = null, string? user = null)
    {
        var client = app.CreateClient();
        if (address is not null)
            client.DefaultRequestHeaders.Add(ClientHeader, address);
        if (user is not null)
            client.DefaultRequestHeaders.Add(UserHeader, user);
        return client;
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, following) =>
        {
            if (http.Request.Headers[ClientHeader] is [{ } address])
                http.Connection.RemoteIpAddress = IPAddress.Parse(address);
            if (http.Request.Headers[UserHeader] is [{ } user])
                http.User = new ClaimsPrincipal(new McpApi.Auth.CallerClaimsIdentity(new McpApi.Auth.CallerIdentity(user, McpApi.Auth.ScopeSet.Everything), "Test"));
            return following(http);
        });
        next(app);
    };
}
