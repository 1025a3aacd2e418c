using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// .NET's standard ways of choosing the HTTP address each win over the default (http://localhost:5000), against the
/// real server process. The default ports are held meanwhile, so a server that fell back to them could not start.
/// </summary>
public sealed class HttpPortSettingsTests
{
    public static TheoryData<string> Ways() =>
    [
        "--urls argument",
        "--Urls setting",
        "Urls environment variable",
        "ASPNETCORE_URLS",
        "ASPNETCORE_HTTP_PORTS",
        "Kestrel:Endpoints",
    ];

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task EachStandardPortSettingWinsOverTheDefault(string way)
    {
        using var defaultPorts = new DefaultPorts();
        var port = ServerProcess.FreePort();
        var (settings, environment) = Configure(way, port);

        await using var server = await ServerProcess.StartAsync(settings: settings, port: port, environment: environment, urlsArgument: false);

        using var client = server.CreateClient();
        (await client.GetAsync("/health")).IsSuccessStatusCode.ShouldBeTrue();
        await server.WaitForOutputAsync($":{port}");
        server.Output.ShouldNotContain(":5000");
    }

    [Fact]
    public async Task ThePortsTheDockerImageSetsGiveWayToAspNetCoreUrlsAsWithDockerRunE()
    {
        using var defaultPorts = new DefaultPorts();
        var port = ServerProcess.FreePort();
        var imagePort = ServerProcess.FreePort();
        var environment = DockerfileSettingsTests.DockerfileEnvironment();
        environment["ASPNETCORE_HTTP_PORTS"] = imagePort.ToString();
        environment["McpApi__Tcp__Port"] = ServerProcess.FreePort().ToString();
        environment.Remove("ConnectionStrings__McpApi");
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}"; // docker run -e ASPNETCORE_URLS=...

        await using var server = await ServerProcess.StartAsync(port: port, environment: environment, urlsArgument: false);

        (await server.CreateClient().GetAsync("/health")).IsSuccessStatusCode.ShouldBeTrue();
        server.Output.ShouldNotContain($":{imagePort}");
    }

    private static (Dictionary<string, string> Settings, Dictionary<string, string> Environment) Configure(string way, int port)
    {
        var url = $"http://127.0.0.1:{port}";
        return way switch
        {
            "--urls argument" => (new() { ["urls"] = url }, []),
            "--Urls setting" => (new() { ["Urls"] = url }, []),
            "Urls environment variable" => ([], new() { ["Urls"] = url }),
            "ASPNETCORE_URLS" => ([], new() { ["ASPNETCORE_URLS"] = url }),
            "ASPNETCORE_HTTP_PORTS" => ([], new() { ["ASPNETCORE_HTTP_PORTS"] = port.ToString() }),
            "Kestrel:Endpoints" => ([], new() { ["Kestrel__Endpoints__Http__Url"] = url }),
            _ => throw new ArgumentOutOfRangeException(nameof(way), way, null),
        };
    }
}
