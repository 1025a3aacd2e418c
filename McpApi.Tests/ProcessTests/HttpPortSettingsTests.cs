using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
        environment["Auth__AllowAnonymous"] = "true"; // the image's TCP door listens on every interface

        await using var server = await ServerProcess.StartAsync(port: port, environment: environment, urlsArgument: false);

        (await server.CreateClient().GetAsync("/health")).IsSuccessStatusCode.ShouldBeTrue();
        server.Output.ShouldNotContain($":{imagePort}");
    }

    [Fact]
    public async Task AspNetCoreHttpsPortsServesHttpsWithTheConfiguredCertificate()
    {
        using var defaultPorts = new DefaultPorts();
        var port = ServerProcess.FreePort();
        var folder = Directory.CreateTempSubdirectory("mcpapi-https-").FullName;
        try
        {
            var certificate = Path.Combine(folder, "localhost.pfx");
            await File.WriteAllBytesAsync(certificate, SelfSignedLocalhostPfx("test-password"));
            var environment = new Dictionary<string, string?>
            {
                ["ASPNETCORE_HTTPS_PORTS"] = port.ToString(),
                ["Kestrel__Certificates__Default__Path"] = certificate,
                ["Kestrel__Certificates__Default__Password"] = "test-password",
                ["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(folder, "mcpapi.db")}",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Auth__AllowAnonymous"] = "true", // HTTPS ports bind every interface
            };
            using var server = ChildProcess.Start("dotnet", [ServerProcess.ServerDll, $"--McpApi:Tcp:Port={ServerProcess.FreePort()}"],
                Path.GetDirectoryName(ServerProcess.ServerDll), environment);
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if ((await client.GetAsync("/health")).IsSuccessStatusCode)
                        break;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                if (DateTime.UtcNow > deadline || server.HasExited)
                    throw new TimeoutException($"No HTTPS answer on {port}.\n{server.Stdout}\n{server.Stderr}");
                await Task.Delay(100);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] SelfSignedLocalhostPfx(string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.Export(X509ContentType.Pfx, password);
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
            // Ports alone bind every interface: without authentication that takes an explicit choice.
            "ASPNETCORE_HTTP_PORTS" => ([], new() { ["ASPNETCORE_HTTP_PORTS"] = port.ToString(), ["Auth__AllowAnonymous"] = "true" }),
            "Kestrel:Endpoints" => ([], new() { ["Kestrel__Endpoints__Http__Url"] = url }),
            _ => throw new ArgumentOutOfRangeException(nameof(way), way, null),
        };
    }
}
