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
