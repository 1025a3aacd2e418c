using McpApi.Dispatching;
using McpApi.Doors.Mcp;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Mcp;

/// <summary>Handlers see which door a call came through: <c>mcp</c> for Streamable HTTP, <c>stdio</c> for <c>--stdio</c>.</summary>
public sealed class CallerDoorTests
{
    /// <summary>Answers with the door the call came through.</summary>
    private sealed class DoorModel : IModelHandler
    {
        public string Name => "door";

        public string Description => "Test-only: which door?";

        public IReadOnlyList<ModelAction> Actions { get; } =
        [
            ModelAction.For<NoContext, NoData, string>("which", "Returns the caller's door.",
                static (call, _) => ValueTask.FromResult(new ModelResult<string>("Door", call.Caller.Door))),
        ];
    }

    [Theory]
    [InlineData(false, "mcp")]
    [InlineData(true, "stdio")]
    public async Task ToolCallsDispatchAsTheDoorTheServerServes(bool stdio, string door)
    {
        // The stdio transport itself cannot run in-process; the tools read the same option the --stdio switch sets.
        using var app = new McpApiApplication
        {
            Configure = services =>
            {
                services.AddModel<DoorModel>();
                services.PostConfigure<McpDoorOptions>(options => options.Stdio = stdio);
            },
        };
        await using var mcp = await app.ConnectAsync();

        var result = await mcp.CallToolAsync("door_which", new Dictionary<string, object?>(), cancellationToken: TestContext.Timeout);

        result.IsError.ShouldNotBe(true, string.Join(" ", result.Texts()));
        result.Structured().GetProperty("data").GetString().ShouldBe(door);
        (await app.CreateClient().PostEnvelopeAsync(new { model = "door", action = "which" })).Data.GetString().ShouldBe("http");
    }
}
