using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>The real server process on a real socket.</summary>
public sealed class PublishedServerTests
{
    [Fact]
    public async Task RealServerAnswersTheSeedRequestAndStopsGracefullyOnSigterm()
    {
        await using var server = await ServerProcess.StartAsync();
        using var client = server.CreateClient();

        var reply = await client.PostRawAsync("""{"action":"test","parameters":{"key1":"value1","key2":"value2"}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
        reply.Data.GetProperty("echo").GetProperty("action").GetString().ShouldBe("test");
        await server.StopAsync();
        server.HasExited.ShouldBeTrue();
        server.Output.ShouldContain("HTTP POST /mcp echo/echo responded 200");
    }

    [Fact]
    public async Task CompactJsonLoggingWritesOneStructuredEventPerRequestWithoutThePayload()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Serilog:WriteTo:0:Args:formatter"] = "compact",
        });
        using var client = server.CreateClient();

        await client.PostRawAsync("""{"model":"echo","action":"echo","data":"top-secret-payload"}""");
        await server.StopAsync();

        var line = server.Output.Split('\n').Single(l => l.Contains("\"RequestPath\":\"/mcp\""));
        using var logEvent = System.Text.Json.JsonDocument.Parse(line);
        var root = logEvent.RootElement;
        root.GetProperty("@mt").GetString()!.ShouldStartWith("HTTP {RequestMethod} {RequestPath}");
        root.GetProperty("RequestMethod").GetString().ShouldBe("POST");
        root.GetProperty("StatusCode").GetInt32().ShouldBe(200);
        root.GetProperty("Model").GetString().ShouldBe("echo");
        root.GetProperty("Action").GetString().ShouldBe("echo");
        root.GetProperty("Elapsed").GetDouble().ShouldBeGreaterThan(0);
        server.Output.ShouldNotContain("top-secret-payload");
    }

    [Theory]
    [InlineData("--McpApi:MaxRequestBytes=5", "McpApi:MaxRequestBytes")]
    [InlineData("--Mcp:MaxSessions=-1", "Mcp:MaxSessions")]
    [InlineData("--McpApi:Tcp:Port=70000", "McpApi:Tcp:Port")]
    [InlineData("--McpApi:Connections:MaxTcp=0", "McpApi:Connections:MaxTcp")]
    public async Task AnInvalidSettingStopsStartupWithAMessageNamingIt(string argument, string setting)
    {
        var result = await ExternalProcess.RunAsync("dotnet",
            [ServerProcess.ServerDll, $"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", argument],
            TimeSpan.FromSeconds(60), workingDirectory: Path.GetDirectoryName(ServerProcess.ServerDll));

        result.ExitCode.ShouldNotBe(0, result.ToString());
        (result.Output + result.Error).ShouldContain(setting);
        (result.Output + result.Error).ShouldContain("terminated unexpectedly");
    }
}
