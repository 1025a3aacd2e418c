using McpApi.Events.Backplane;

namespace McpApi.Tests.Events;

/// <summary>NOTIFY payloads stay under PostgreSQL's 8000 bytes and never split a surrogate pair.</summary>
public sealed class NotifyPayloadSplitTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1999)]
    [InlineData(2000)]
    [InlineData(2001)]
    [InlineData(5003)]
    public void PartsJoinBackToTheMessageAndEachFitsANotifyPayload(int emojiOffset)
    {
        var message = new string('x', emojiOffset) + string.Concat(Enumerable.Repeat("😀€", 3000));

        var parts = PostgreSqlBackplane.Split(message);

        string.Concat(parts).ShouldBe(message);
        parts.ShouldAllBe(p => System.Text.Encoding.UTF8.GetByteCount(p) < 7900);
        parts.ShouldAllBe(p => p.Length > 0 && !char.IsHighSurrogate(p[p.Length - 1]) && !char.IsLowSurrogate(p[0]));
    }
}
