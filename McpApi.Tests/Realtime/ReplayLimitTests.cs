using McpApi.Doors.Realtime;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Realtime;

/// <summary>McpApi:Realtime:ReplayLimit and the history it replays from agree: every allowed value replays.</summary>
public sealed class ReplayLimitTests
{
    [Theory]
    [InlineData(501, false)]
    [InlineData(10_000, false)]
    [InlineData(500, true)]
    [InlineData(0, true)]
    public void AReplayLimitAboveOneHistoryPageIsRejectedNamingTheMaximum(int replayLimit, bool valid)
    {
        var result = new RealtimeOptionsValidator().Validate(null, new RealtimeOptions { ReplayLimit = replayLimit });

        result.Succeeded.ShouldBe(valid);
        if (!valid)
            result.FailureMessage!.ShouldContain($"McpApi:Realtime:ReplayLimit is {replayLimit}; set it between 0 and 500");
    }

    [Fact]
    public async Task TheLargestAllowedReplayLimitIsChatHistorysPageLimit()
    {
        using var app = new McpApiApplication();
        var catalog = await app.CreateClient().GetJsonAsync("/mcp/models");

        var history = catalog.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "chat")
            .GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "history");
        history.GetProperty("dataSchema").GetProperty("properties").GetProperty("limit").GetProperty("maximum").GetInt32()
            .ShouldBe(RealtimeOptions.MaxReplayLimit);
    }

    [Fact]
    public async Task AReconnectWithTheLargestReplayLimitReplaysTheMissedMessages()
    {
        using var server = new RealtimeServer(new() { ["McpApi:Realtime:ReplayLimit"] = RealtimeOptions.MaxReplayLimit.ToString() });
        using var http = server.CreateClient();
        var seen = await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "many" }, data = "seen" });
        for (var i = 1; i <= 3; i++)
            await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "many" }, data = $"missed {i}" });

        var (_, events) = await SseDoorTests.OpenAsync(http, "chat:many", $"chat:many={seen.Data.GetProperty("id").GetInt64()}");

        (await SseDoorTests.NextAsync(events)).EventType.ShouldBe("ready");
        for (var i = 1; i <= 3; i++)
            (await SseDoorTests.NextAsync(events)).Data.ShouldContain($"missed {i}");
    }
}
