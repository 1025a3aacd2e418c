using System.Net;
using McpApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Limits;

public sealed class ReadinessDetailsTests
{
    [Fact]
    public async Task ReadinessHidesTheDatabasePathFromARemoteCallerButKeepsTheStatus()
    {
        using var app = new McpApiApplication { Configure = services => services.AddTransient<IStartupFilter>(_ => new RemoteCaller(IPAddress.Parse("203.0.113.7"))) };
        var client = app.CreateClient();

        var response = await client.GetAsync("/health/ready");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        text.ShouldNotContain(app.DataDirectory);
        text.ShouldNotContain("mcpapi.db");
        var body = System.Text.Json.JsonDocument.Parse(text).RootElement;
        body.GetProperty("status").GetString().ShouldBe("Healthy");
        var sqlite = body.GetProperty("checks").GetProperty("sqlite");
        sqlite.GetProperty("status").GetString().ShouldBe("Healthy");
        sqlite.TryGetProperty("description", out var description).ShouldBeTrue();
        description.ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task ReadinessShowsTheDatabasePathToALoopbackCaller()
    {
        using var app = new McpApiApplication { Configure = services => services.AddTransient<IStartupFilter>(_ => new RemoteCaller(IPAddress.Loopback)) };
        var client = app.CreateClient();

        var body = await client.GetJsonAsync("/health/ready");

        body.GetProperty("checks").GetProperty("sqlite").GetProperty("description").GetString()!.ShouldContain(app.DatabasePath);
    }

    /// <summary>The in-memory test server has no socket: this gives each request the caller's address a real socket would.</summary>
    private sealed class RemoteCaller(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                http.Connection.RemoteIpAddress = address;
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}
