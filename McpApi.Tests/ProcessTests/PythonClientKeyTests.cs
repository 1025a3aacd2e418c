using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>The Python clients against a server with API keys: <c>MCPAPI_KEY</c> / <c>--key</c>, and the 401 without.</summary>
public sealed class PythonClientKeyTests
{
    private const string Python = "/usr/bin/python3";

    private static string Script(string name) => Path.Combine(ExternalProcess.RepoRoot, "clients", "python", name);

    [Fact]
    public async Task TheCommandSendsMcpapiKeyOrKeyAndFailsWith401Without()
    {
        var env = new Dictionary<string, string?>().WithApiKeys().ToDictionary(p => p.Key.Replace(":", "__"), p => p.Value!);
        await using var server = await ServerProcess.StartAsync(environment: env);
        var url = server.BaseAddress.ToString().TrimEnd('/');

        var withVariable = await ExternalProcess.RunAsync(Python, [Script("mcp_client.py"), "--url", url, "chat", "--action", "send", "--data", "\"hi\""],
            TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["MCPAPI_KEY"] = TestKeys.Ana });
        var withOption = await ExternalProcess.RunAsync(Python, [Script("mcp_client.py"), "--url", url, "--key", TestKeys.Ana, "--models"], TimeSpan.FromSeconds(60));
        var without = await ExternalProcess.RunAsync(Python, [Script("mcp_client.py"), "--url", url, "chat", "--action", "send", "--data", "\"hi\""],
            TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["MCPAPI_KEY"] = "" });
        var tcp = await ExternalProcess.RunAsync(Python, [Script("tcp_client.py"), "--port", server.TcpPort.ToString(), "--key", TestKeys.Ana, "send", """{"model":"chat","action":"rooms"}"""],
            TimeSpan.FromSeconds(60));

        withVariable.ExitCode.ShouldBe(0, withVariable.ToString());
        withVariable.Output.ShouldContain("\"user\": \"ana\"");
        withOption.ExitCode.ShouldBe(0, withOption.ToString());
        withOption.Output.ShouldContain("chat:");
        withOption.Output.ShouldNotContain("state:");
        without.ExitCode.ShouldBe(1, without.ToString());
        without.Error.ShouldContain("401 unauthenticated");
        tcp.ExitCode.ShouldBe(0, tcp.ToString());
    }
}
