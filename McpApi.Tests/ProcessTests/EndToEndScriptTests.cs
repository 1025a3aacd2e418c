using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>Runs scripts/e2e.sh: the real server process driven by curl and the Python client.</summary>
public sealed class EndToEndScriptTests
{
    [Fact]
    public async Task CurlAndThePythonClientDriveTheRealServerWhileAnotherServerHoldsTheDefaultPorts()
    {
        // The README's Quick Start: `dotnet run --project McpApi` in one terminal (ports 5000 and 5050), then the tests.
        using var defaultPorts = new DefaultPorts();

        var result = await ExternalProcess.RunAsync("bash", ["scripts/e2e.sh", ServerProcess.ServerDll], TimeSpan.FromMinutes(3));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("python client: all checks passed");
        result.Output.ShouldContain("ok tcp door");
        result.Output.ShouldContain("e2e: all checks passed");
    }
}
