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
}
