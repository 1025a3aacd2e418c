using McpApi.Doors.Mcp;

namespace McpApi.Tests.Mcp;

public sealed class McpDoorOptionsTests
{
    [Fact]
    public void TheDefaultsAreStatefulForInitializeClientsWithLoopbackOriginsOnly()
    {
        var options = new McpDoorOptions();

        options.SessionMode.ShouldBe(ModelContextProtocol.AspNetCore.HttpServerSessionMode.StatefulForInitializeClients);
        options.AllowedOrigins.ShouldBeEmpty();
        new McpDoorOptionsValidator().Validate(null, options).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void BadSettingsFailNamingTheSettingAndTheFix()
    {
        var result = new McpDoorOptionsValidator().Validate(null, new McpDoorOptions
        {
            IdleTimeout = TimeSpan.FromSeconds(1),
            MaxSessions = 0,
            MaxSessionsPerClient = 0,
            AllowedOrigins = ["app.example.com"],
        });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("Mcp:IdleTimeout");
        result.FailureMessage.ShouldContain("Mcp:MaxSessions is 0");
        result.FailureMessage.ShouldContain("Mcp:MaxSessionsPerClient is 0");
        result.FailureMessage.ShouldContain("scheme://host");
    }

    [Fact]
    public void StdioSwitchBecomesASetting()
    {
        McpStdio.TranslateArguments(["--stdio", "--urls=http://localhost:1"]).ShouldBe(["--urls=http://localhost:1", "--Mcp:Stdio=true"]);
        McpStdio.TranslateArguments(["--urls=http://localhost:1"]).ShouldBe(["--urls=http://localhost:1"]);
    }
}
