using System.Net;
using System.Net.Sockets;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// A server that cannot start says so in one Fatal line naming what failed, the address or path, and the setting
/// that changes it — no stack trace, no second copy — and exits non-zero. Real processes, real ports and folders.
/// </summary>
public sealed class StartupFailureTests
{
    [Fact]
    public async Task AnHttpPortInUseIsOneFatalLineNamingTheAddressAndTheSettings()
    {
        using var taken = HoldPort(out var port);

        var result = await RunServerAsync($"--urls=http://127.0.0.1:{port}", $"--McpApi:Tcp:Port={ServerProcess.FreePort()}");

        var fatal = SingleFatalLine(result);
        fatal.ShouldContain($"http://127.0.0.1:{port}");
        fatal.ShouldContain("already in use");
        fatal.ShouldContain("ASPNETCORE_URLS");
        fatal.ShouldContain("--urls");
    }

    [Fact]
    public async Task WithNothingSetTheServerUsesTheDefaultAddressAndSaysSoWhenItIsTaken()
    {
        // Holds 5000 (or finds it held by a running server): the default address must be http://localhost:5000,
        // and a server started with no HTTP setting names it in its one-line failure.
        using var defaultPorts = new DefaultPorts();

        var result = await RunServerAsync($"--McpApi:Tcp:Port={ServerProcess.FreePort()}");

        var fatal = SingleFatalLine(result);
        fatal.ShouldContain("http://localhost:5000");
        fatal.ShouldContain("already in use");
    }

    [Fact]
    public async Task TheTcpDoorsPortInUseIsNamedAsTheTcpDoorWithItsSetting()
    {
        using var taken = HoldPort(out var tcpPort);

        var result = await RunServerAsync($"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", $"--McpApi:Tcp:Port={tcpPort}");

        var fatal = SingleFatalLine(result);
        fatal.ShouldContain("TCP door");
        fatal.ShouldContain($":{tcpPort}");
        fatal.ShouldContain("McpApi:Tcp:Port");
        fatal.ShouldNotContain("http://");
    }

    [Fact]
    public async Task ASecondInstanceOnTheSamePortsFailsWithOneLineWhileTheFirstKeepsServing()
    {
        await using var first = await ServerProcess.StartAsync();

        var result = await RunServerAsync($"--urls=http://127.0.0.1:{first.Port}", $"--McpApi:Tcp:Port={first.TcpPort}");

        SingleFatalLine(result).ShouldContain($"http://127.0.0.1:{first.Port}");
        (await first.CreateClient().GetAsync("/health")).IsSuccessStatusCode.ShouldBeTrue();
    }

    [Theory]
    [InlineData("read-only folder")]
    [InlineData("folder is a file")]
    public async Task ADataFolderThatCannotBeWrittenIsOneLineNamingThePathAndTheSetting(string problem)
    {
        var scratch = Directory.CreateTempSubdirectory("mcpapi-startup-").FullName;
        try
        {
            // Tests may run as root, which ignores file modes: /proc refuses new files to everyone.
            var database = problem == "read-only folder" ? "/proc/mcpapi.db" : Path.Combine(scratch, "plain-file", "mcpapi.db");
            await File.WriteAllTextAsync(Path.Combine(scratch, "plain-file"), "not a folder");

            var result = await RunServerAsync([$"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", $"--McpApi:Tcp:Port={ServerProcess.FreePort()}"],
                new Dictionary<string, string> { ["ConnectionStrings__McpApi"] = $"Data Source={database}" });

            var fatal = SingleFatalLine(result);
            fatal.ShouldContain(database);
            fatal.ShouldContain("ConnectionStrings:McpApi");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task ABadRateLimitSettingIsOneFatalLineNamingTheSettingAndItsRange()
    {
        var result = await RunServerAsync($"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", $"--McpApi:Tcp:Port={ServerProcess.FreePort()}",
            "--RateLimits:WritesPerSecond=-5");

        SingleFatalLine(result).ShouldContain("RateLimits:WritesPerSecond is -5; set it between 0 and 1000000");
    }

    [Fact]
    public async Task TheTcpDoorIsNotAnnouncedAsAnHttpAddress()
    {
        await using var server = await ServerProcess.StartAsync();

        await server.WaitForOutputAsync("TCP door");
        var listening = server.Output.Split('\n').Where(l => l.Contains("Now listening on", StringComparison.Ordinal)).ToList();
        listening.ShouldContain(l => l.Contains($"http://127.0.0.1:{server.Port}"));
        listening.ShouldNotContain(l => l.Contains($":{server.TcpPort}"));
        server.Output.Split('\n').ShouldContain(l => l.Contains("TCP door") && l.Contains($":{server.TcpPort}"));
    }

    private static Task<ExternalProcess.Result> RunServerAsync(params string[] arguments) => RunServerAsync(arguments, null);

    private static async Task<ExternalProcess.Result> RunServerAsync(string[] arguments, IDictionary<string, string>? environment)
    {
        var data = Directory.CreateTempSubdirectory("mcpapi-startup-").FullName;
        try
        {
            environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
            environment.TryAdd("ConnectionStrings__McpApi", $"Data Source={Path.Combine(data, "mcpapi.db")}");
            var result = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerDll, .. arguments], TimeSpan.FromSeconds(60),
                environment, workingDirectory: Path.GetDirectoryName(ServerProcess.ServerDll));
            result.ExitCode.ShouldNotBe(0, result.ToString());
            return result;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The one Fatal line; nothing else at Error or Fatal, and no stack trace.</summary>
    private static string SingleFatalLine(ExternalProcess.Result result)
    {
        var lines = (result.Output + "\n" + result.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldNotContain(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal), result.ToString());
        lines.ShouldNotContain(l => l.Contains(" ERR]", StringComparison.Ordinal), result.ToString());
        return lines.Where(l => l.Contains(" FTL]", StringComparison.Ordinal)).ShouldHaveSingleItem(result.ToString());
    }

    private static TcpListener HoldPort(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }
}
