using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>The real server process on a real socket.</summary>
public sealed class PublishedServerTests
{
    [Fact]
    public async Task RealServerAnswersTheSeedRequestAndStopsGracefullyOnSigterm()
    {
        await using var server = await ServerProcess.StartAsync();
        using var client = server.CreateClient();

        var reply = await client.PostRawAsync("""{"action":"test","parameters":{"key1":"value1","key2":"value2"}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
        reply.Data.GetProperty("echo").GetProperty("action").GetString().ShouldBe("test");
        await server.StopAsync();
        server.HasExited.ShouldBeTrue();
        server.Output.ShouldContain("HTTP POST /mcp echo/default responded 200");
    }
}
