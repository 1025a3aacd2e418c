using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// Resource subscriptions with a client nobody here wrote (the TypeScript SDK): the capability is advertised, a write over
/// the HTTP envelope door arrives as <c>notifications/resources/updated</c>, and a dropped stream reopened with
/// Last-Event-ID goes on delivering.
/// </summary>
public sealed class SubscriptionProcessTests
{
    [Fact]
    public async Task ASubscribedClientReceivesUpdatesForWritesFromAnyDoorAndAfterReopeningItsStream()
    {
        await using var server = await ServerProcess.StartAsync();

        var result = await ExternalProcess.RunAsync(NodeTools.Node, [NodeTools.Subscriptions, $"{server.BaseAddress}mcp"], TimeSpan.FromMinutes(3),
            workingDirectory: NodeTools.Directory);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("ok   a note added over the envelope door arrives as notifications/resources/updated");
        result.Output.ShouldContain("ok   a new room's first message (envelope door) updates chat://rooms");
        result.Output.ShouldContain("ok   a new GET with Last-Event-ID is accepted after the stream dropped");
        result.Output.ShouldContain("subscriptions: all checks passed");
        result.Output.ShouldNotContain("FAIL");
    }

    /// <summary>
    /// The stdio equivalent: a stdio server subscribed to a note and to <c>chat://rooms</c> hears writes that another
    /// process (an HTTP server on the same PostgreSQL database and event backplane) takes over the envelope door.
    /// </summary>
    [Fact]
    public async Task OverStdioASubscribedResourceIsUpdatedByAWriteMadeOverHttpInAnotherProcess()
    {
        var database = await (await PostgreSqlServer.InstanceAsync()).CreateDatabaseAsync();
        var shared = new Dictionary<string, string>
        {
            ["ConnectionStrings:McpApi"] = database,
            ["Storage:Provider"] = "PostgreSql",
            ["Events:Backplane"] = "PostgreSql",
        };
        await using var http = await ServerProcess.StartAsync(settings: shared);
        using var stdio = StdioServer.Start("dotnet", [ServerProcess.ServerDll, "--stdio"],
            shared.ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value));
        await stdio.HandshakeAndEchoAsync("warm up");
        await stdio.SendAsync("""{"jsonrpc":"2.0","id":20,"method":"resources/subscribe","params":{"uri":"notes://stdio/latest"}}""");
        await stdio.SendAsync("""{"jsonrpc":"2.0","id":21,"method":"resources/subscribe","params":{"uri":"chat://rooms"}}""");
        var client = http.CreateClient();
        var updates = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var reading = Task.Run(async () =>
        {
            // One read at a time, each bounded; ends when stdout closes or stays silent for 2 minutes.
            while (await stdio.ReadLineAsync(TimeSpan.FromMinutes(2)) is { } line)
            {
                var message = JsonDocument.Parse(line).RootElement;
                if (message.TryGetProperty("method", out var method) && method.GetString() == "notifications/resources/updated")
                    updates.Writer.TryWrite(message.GetProperty("params").GetProperty("uri").GetString()!);
            }
        });

        // The backplane's listener connects in the background: write until both updates arrive (bounded).
        var heard = new HashSet<string>();
        for (var round = 0; round < 30 && heard.Count < 2; round++)
        {
            (await client.PostEnvelopeAsync(new { model = "notes", action = "add", context = "stdio", data = $"note {round}" })).Status.ShouldBe("success");
            (await client.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "ana", room = $"room{round}" }, data = "hi" }))
                .Status.ShouldBe("success");
            await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(1)), updates.Reader.WaitToReadAsync().AsTask());
            while (updates.Reader.TryRead(out var uri))
                heard.Add(uri);
        }

        heard.ShouldBe(["notes://stdio/latest", "chat://rooms"], ignoreOrder: true);
        reading.IsFaulted.ShouldBeFalse(reading.Exception?.ToString()); // every stdout line so far was JSON-RPC
    }
}
