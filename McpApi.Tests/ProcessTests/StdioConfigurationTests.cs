using System.Text.Json;
using System.Text.RegularExpressions;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// The README's stdio configurations for Claude Desktop, VS Code and Docker, run the way those clients run them: the
/// command and arguments of each snippet (the dll path swapped for the published server the tests use), from an
/// unrelated folder, with the snippet's environment.
/// </summary>
public sealed partial class StdioConfigurationTests
{
    /// <summary>The published dll as the snippets name it: the clone's absolute path, or VS Code's workspace folder.</summary>
    private static readonly string[] PublishedDll = ["/path/to/McpApi/artifacts/publish/McpApi.dll", "${workspaceFolder}/artifacts/publish/McpApi.dll"];

    [Fact]
    public void TheReadmeSaysHowToPublishTheDllTheSnippetsStart()
    {
        var readme = Readme();
        readme.ShouldContain("dotnet publish McpApi -c Release -o artifacts/publish");
        var snippets = StdioSnippets();
        snippets.ShouldContain(s => s.Command == "dotnet");
        snippets.Where(s => s.Command == "dotnet").ShouldAllBe(s => s.Arguments.Length == 2 && PublishedDll.Contains(s.Arguments[0]) && s.Arguments[1] == "--stdio");
    }

    [Fact]
    public async Task EveryDotnetStdioSnippetWorksAsPasted()
    {
        foreach (var snippet in StdioSnippets().Where(s => s.Command == "dotnet"))
        {
            var arguments = snippet.Arguments.Select(a => PublishedDll.Contains(a) ? ServerProcess.ServerDll : a);
            await ServesMcpOverStdioAsync(snippet, "dotnet", arguments, snippet.Environment);
        }
    }

    [Fact]
    public async Task TheDockerStdioSnippetRunsTheImagesEntryPointWithItsSettings()
    {
        // No Docker engine in CI: the image's ENTRYPOINT (dotnet McpApi.dll) with the image's ENV and the arguments
        // the snippet passes after the image name.
        var snippet = StdioSnippets().Single(s => s.Command == "docker");
        snippet.Arguments.Take(2).ShouldBe(["run", "-i"]);
        var afterImage = snippet.Arguments.SkipWhile(a => a != "mcpapi").Skip(1).ToList();
        afterImage.ShouldBe(["--stdio"]);

        var data = Directory.CreateTempSubdirectory("mcpapi-stdio-docker-").FullName;
        try
        {
            var environment = DockerfileSettingsTests.DockerfileEnvironment();
            environment["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(data, "mcpapi.db")}";
            await ServesMcpOverStdioAsync(snippet, "dotnet", [ServerProcess.ServerDll, .. afterImage], environment);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task ServesMcpOverStdioAsync(Snippet snippet, string command, IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        using var server = StdioServer.Start(command, arguments, environment, workingDirectory: Path.GetTempPath());
        var (initialize, _, call) = await server.HandshakeAndEchoAsync("pasted");

        initialize.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString().ShouldBe("McpApi", snippet.Source);
        call.GetProperty("result").GetProperty("structuredContent").GetProperty("data").GetProperty("echo").GetProperty("data").GetString()
            .ShouldBe("pasted", snippet.Source);
        (await server.CloseAsync()).Trim().ShouldBeEmpty(snippet.Source);
    }

    private sealed record Snippet(string Source, string Command, string[] Arguments, Dictionary<string, string> Environment);

    /// <summary>Every stdio server in the README's JSON snippets (Claude Desktop's mcpServers, VS Code's servers).</summary>
    private static List<Snippet> StdioSnippets()
    {
        var snippets = new List<Snippet>();
        foreach (Match block in JsonBlocks().Matches(Readme()))
        {
            var source = block.Groups["json"].Value;
            JsonElement root;
            try { root = JsonDocument.Parse(source).RootElement; } catch (JsonException) { continue; }
            if (root.ValueKind != JsonValueKind.Object)
                continue;
            foreach (var section in new[] { "mcpServers", "servers" })
            {
                if (!root.TryGetProperty(section, out var servers))
                    continue;
                foreach (var server in servers.EnumerateObject().Select(p => p.Value).Where(s => s.TryGetProperty("command", out _)))
                {
                    snippets.Add(new Snippet(source, server.GetProperty("command").GetString()!,
                        server.TryGetProperty("args", out var args) ? [.. args.EnumerateArray().Select(a => a.GetString()!)] : [],
                        server.TryGetProperty("env", out var env) ? env.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : []));
                }
            }
        }
        return snippets;
    }

    private static string Readme() => File.ReadAllText(Path.Combine(ExternalProcess.RepoRoot, "README.md"));

    [GeneratedRegex("```json\n(?<json>.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlocks();
}
