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
        var env = DockerfileEnv();
        env["Urls"].ShouldBe("http://+:8080");
        env["McpApi:Tcp:Port"].ShouldBe("5050");
        env.ShouldContainKey("ConnectionStrings:McpApi");

        var port = ServerProcess.FreePort();
        var settings = env
            .Where(e => e.Key != "ConnectionStrings:McpApi") // the test's own data folder instead of /app/data
            .ToDictionary(e => e.Key, e => e.Value.Replace(":8080", $":{port}"));
        settings["McpApi:Tcp:Port"] = ServerProcess.FreePort().ToString();
        // "--Urls=http://+:PORT" comes after ServerProcess's own loopback --urls, and the last one wins.
        await using var server = await ServerProcess.StartAsync(settings: settings, port: port);

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

    /// <summary>The <c>ENV</c> instruction of the runtime stage, as configuration keys (<c>A__B</c> → <c>A:B</c>).</summary>
    private static Dictionary<string, string> DockerfileEnv()
    {
        var text = File.ReadAllText(Path.Combine(ExternalProcess.RepoRoot, "Dockerfile")).Replace("\\\n", " ");
        var env = text.Split('\n').Single(l => l.StartsWith("ENV ", StringComparison.Ordinal));
        return Assignment().Matches(env[4..]).ToDictionary(
            m => m.Groups["key"].Value.Replace("__", ":"),
            m => m.Groups["value"].Value.Trim('"'));
    }

    [GeneratedRegex("""(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>"[^"]*"|\S+)""")]
    private static partial Regex Assignment();
}
