using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary><c>dotnet McpApi.dll keys new</c> against the real program: a key printed once, settings that a server accepts.</summary>
public sealed class KeysCommandTests
{
    [Fact]
    public async Task KeysNewPrintsAKeyAndSettingsThatAServerAccepts()
    {
        var result = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerDll, "keys", "new", "--name", "ana", "--scopes", "chat:*", "notes:read"],
            TimeSpan.FromSeconds(60), workingDirectory: Path.GetDirectoryName(ServerProcess.ServerDll));

        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.TrimEntries);
        var key = lines.Single(l => l.StartsWith("key:", StringComparison.Ordinal))[4..].Trim();
        var hash = lines.Single(l => l.StartsWith("sha256:", StringComparison.Ordinal))[7..].Trim();
        hash.ShouldBe(McpApi.Auth.ApiKeys.HashHex(key));
        result.Output.ShouldContain("Auth__ApiKeys__0__Scopes__1=notes:read");
        var settings = lines.Where(l => l.StartsWith("Auth__", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        await using var server = await ServerProcess.StartAsync(environment: settings);
        var reply = await server.CreateClient().WithKey(key).PostEnvelopeAsync(new { model = "chat", action = "send", data = "hi" });
        var refused = await server.CreateClient().WithKey(key).PostEnvelopeAsync(new { model = "notes", action = "add", data = "x" });

        reply.Status.ShouldBe("success", reply.ToString());
        reply.Data.GetProperty("user").GetString().ShouldBe("ana");
        refused.Code.ShouldBe("forbidden");
    }

    [Fact]
    public async Task KeysNewWithAMalformedScopeExplainsTheFormAndPrintsNoKey()
    {
        var result = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerDll, "keys", "new", "--name", "ana", "--scopes", "chat"],
            TimeSpan.FromSeconds(60), workingDirectory: Path.GetDirectoryName(ServerProcess.ServerDll));

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("'chat' is not a scope");
        result.Output.ShouldNotContain("key:");
    }
}
