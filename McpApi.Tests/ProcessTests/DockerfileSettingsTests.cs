using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// No Docker engine runs in CI, so this starts the published server with the Dockerfile's own ENV settings
/// (ports swapped for free ones) and checks what a container user relies on.
/// </summary>
public sealed partial class DockerfileSettingsTests
{
    [Fact]
    public async Task TheDockerfileSettingsServeHttpOnAllInterfacesAnyHostAndTheTcpDoor()
    {
        var env = DockerfileEnvironment();
        env["ASPNETCORE_HTTP_PORTS"].ShouldBe("8080");
        env["McpApi__Tcp__Port"].ShouldBe("5050");
        env.ShouldContainKey("ConnectionStrings__McpApi");

        // The image's environment as Docker passes it, with free ports for 8080 and 5050 and the test's own data
        // folder instead of /app/data.
        var port = ServerProcess.FreePort();
        env["ASPNETCORE_HTTP_PORTS"] = port.ToString();
        env["McpApi__Tcp__Port"] = ServerProcess.FreePort().ToString();
        env.Remove("ConnectionStrings__McpApi");
        env["Auth__AllowAnonymous"] = "true"; // docker run -e Auth__AllowAnonymous=true: open on purpose
        await using var server = await ServerProcess.StartAsync(port: port, environment: env, urlsArgument: false);

        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Host = "mcpapi.example.com";
        (await client.SendAsync(request)).IsSuccessStatusCode.ShouldBeTrue("AllowedHosts=* lets a container be reached by any host name");

        // A page the server served (the console, Swagger UI) opened by that name calls back with the same Origin.
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"model":"echo","data":"same origin"}""", Encoding.UTF8, "application/json"),
        };
        sameOrigin.Headers.Host = $"192.0.2.2:{port}";
        sameOrigin.Headers.Add("Origin", $"http://192.0.2.2:{port}");
        var sameOriginReply = await client.SendAsync(sameOrigin);
        sameOriginReply.IsSuccessStatusCode.ShouldBeTrue(await sameOriginReply.Content.ReadAsStringAsync());

        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.TcpPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes("{\"model\":\"echo\",\"data\":\"from docker\"}\n"));
        using var reader = new StreamReader(stream);
        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        line.ShouldNotBeNull().ShouldContain("from docker");
    }

    [Fact]
    public async Task TheDockerfileSettingsAloneRefuseToRunOpenInOneFatalLineSayingHowToAddAKey()
    {
        var env = DockerfileEnvironment();
        env["ASPNETCORE_HTTP_PORTS"] = ServerProcess.FreePort().ToString();
        env["McpApi__Tcp__Port"] = ServerProcess.FreePort().ToString();
        var data = Directory.CreateTempSubdirectory("mcpapi-docker-").FullName;
        try
        {
            env["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(data, "mcpapi.db")}";

            var result = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerDll], TimeSpan.FromSeconds(60),
                env, workingDirectory: Path.GetDirectoryName(ServerProcess.ServerDll));

            result.ExitCode.ShouldBe(1, result.ToString());
            var lines = (result.Output + "\n" + result.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines.ShouldNotContain(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal), result.ToString());
            var fatal = lines.Where(l => l.Contains(" FTL]", StringComparison.Ordinal)).ShouldHaveSingleItem(result.ToString());
            fatal.ShouldContain("Auth:Mode is None");
            fatal.ShouldContain("keys new");
            fatal.ShouldContain("Auth:AllowAnonymous=true");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task TheDockerfileSettingsWithAKeyServeOnlyCallersThatSendIt()
    {
        var env = DockerfileEnvironment();
        var port = ServerProcess.FreePort();
        env["ASPNETCORE_HTTP_PORTS"] = port.ToString();
        env["McpApi__Tcp__Port"] = ServerProcess.FreePort().ToString();
        env.Remove("ConnectionStrings__McpApi");
        // As the README's docker run: -e Auth__Mode=ApiKey -e Auth__ApiKeys__0__Name=... (the hash, never the key).
        env["Auth__Mode"] = "ApiKey";
        env["Auth__ApiKeys__0__Name"] = "ana";
        env["Auth__ApiKeys__0__Hash"] = McpApi.Auth.ApiKeys.HashHex(TestKeys.Ana);
        env["Auth__ApiKeys__0__Scopes__0"] = "*";
        await using var server = await ServerProcess.StartAsync(port: port, environment: env, urlsArgument: false);

        using var anonymous = server.CreateClient();
        using var ana = server.CreateClient().WithKey(TestKeys.Ana);
        var refused = await anonymous.PostEnvelopeAsync(new { model = "notes", action = "add", data = "x" });
        var served = await ana.PostEnvelopeAsync(new { model = "notes", action = "add", data = "x" });

        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        served.Status.ShouldBe("success", served.ToString());
        (await anonymous.GetAsync("/health")).IsSuccessStatusCode.ShouldBeTrue("the image's HEALTHCHECK needs no key");
    }

    /// <summary>The <c>ENV</c> instruction of the runtime stage, as environment variables.</summary>
    internal static Dictionary<string, string> DockerfileEnvironment()
    {
        var text = File.ReadAllText(Path.Combine(ExternalProcess.RepoRoot, "Dockerfile")).Replace("\\\n", " ");
        var env = text.Split('\n').Single(l => l.StartsWith("ENV ", StringComparison.Ordinal));
        return Assignment().Matches(env[4..]).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value.Trim('"'));
    }

    [GeneratedRegex("""(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>"[^"]*"|\S+)""")]
    private static partial Regex Assignment();
}
