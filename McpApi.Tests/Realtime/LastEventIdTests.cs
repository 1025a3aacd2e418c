using McpApi.Dispatching;
using McpApi.Doors.Sse;

namespace McpApi.Tests.Realtime;

/// <summary>The SSE cursor header on its own: format, parse back, plain numbers and what is refused.</summary>
public sealed class LastEventIdTests
{
    private static readonly string[] Topics = ["chat:lobby", "chat:dev"];

    [Fact]
    public void CursorsAreWrittenInTopicOrderAndReadBack()
    {
        var text = LastEventId.Format(new Dictionary<string, long> { ["chat:lobby"] = 12, ["chat:dev"] = 7 });

        text.ShouldBe("chat:dev=7,chat:lobby=12");
        LastEventId.Parse(text, Topics).ShouldBe(new Dictionary<string, long> { ["chat:dev"] = 7, ["chat:lobby"] = 12 }, ignoreOrder: true);
    }

    [Fact]
    public void APlainNumberAppliesToEveryRequestedTopic()
    {
        var cursors = LastEventId.Parse(" 42 ", Topics);

        cursors["chat:lobby"].ShouldBe(42);
        cursors["chat:dev"].ShouldBe(42);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void NoHeaderMeansNoCursors(string? header) => LastEventId.Parse(header, Topics).ShouldBeEmpty();

    [Fact]
    public void TopicsNotRequestedNowAreIgnoredAndATopicMayHoldEqualsSigns()
    {
        var cursors = LastEventId.Parse("chat:gone=3, chat:lobby=5", Topics);

        cursors.Keys.ShouldBe(["chat:lobby"]);
        LastEventId.Parse("state:a=b=9", ["state:a=b"])["state:a=b"].ShouldBe(9);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("chat:lobby=")]
    [InlineData("=5")]
    [InlineData("chat:lobby=-1")]
    [InlineData("chat:lobby=1.5")]
    public void AnythingElseIs400InvalidLastEventId(string header)
    {
        var error = Should.Throw<RequestError>(() => LastEventId.Parse(header, Topics));

        error.StatusCode.ShouldBe(400);
        error.Code.ShouldBe("invalid_last_event_id");
        error.Message.ShouldContain("chat:lobby=12");
    }
}
