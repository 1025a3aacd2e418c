using McpApi.Doors.Limits;

namespace McpApi.Tests.Limits;

public sealed class ConnectionLimitOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() =>
        new ConnectionLimitOptionsValidator().Validate(null, new ConnectionLimitOptions()).Succeeded.ShouldBeTrue();

    [Fact]
    public void BadSettingsFailNamingEachSettingAndItsRange()
    {
        var result = new ConnectionLimitOptionsValidator().Validate(null, new ConnectionLimitOptions
        {
            MaxHttp = 0,
            MaxPerClient = -1,
            HealthReserve = -1,
            TcpLineSeconds = 0,
        });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("McpApi:Connections:MaxHttp is 0; set it between 1 and 1000000 (default 1000).");
        result.FailureMessage.ShouldContain("McpApi:Connections:MaxPerClient is -1");
        result.FailureMessage.ShouldContain("McpApi:Connections:HealthReserve is -1");
        result.FailureMessage.ShouldContain("McpApi:Connections:TcpLineSeconds is 0");
    }
}
