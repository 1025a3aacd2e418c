using System.Text;
using McpApi.Logging;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace McpApi.Tests.Logging;

public sealed class BatchedConsoleSinkTests
{
    private static readonly MessageTemplateTextFormatter Formatter = new("{Message:lj}{NewLine}");

    private static LogEvent Event(int n) => new(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
        new MessageTemplateParser().Parse("event {N}"), [new LogEventProperty("N", new ScalarValue(n))]);

    [Fact]
    public void EveryQueuedEventIsWrittenInOrderByDisposeAtTheLatest()
    {
        var output = new MemoryStream();
        var sink = new BatchedConsoleSink(Formatter, output, TimeSpan.FromSeconds(10), queueLimit: 1000);

        for (var n = 1; n <= 500; n++)
            sink.Emit(Event(n));
        sink.Dispose();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldBe(Enumerable.Range(1, 500).Select(n => $"event {n}"));
    }

    [Fact]
    public async Task EventsAreWrittenWithinAPeriodWithoutWaitingForDispose()
    {
        var output = new MemoryStream();
        using var sink = new BatchedConsoleSink(Formatter, new NonClosingStream(output), TimeSpan.FromMilliseconds(10), queueLimit: 1000);

        sink.Emit(Event(1));

        string Written() { lock (output) return Encoding.UTF8.GetString(output.ToArray()); }
        await WaitUntilAsync(() => Written().Length > 0, TimeSpan.FromSeconds(5));
        Written().ShouldBe("event 1" + Environment.NewLine);
    }

    [Fact]
    public async Task AnIdleSinkDoesNotWakeUp()
    {
        var output = new MemoryStream();
        using var sink = new BatchedConsoleSink(Formatter, new NonClosingStream(output), TimeSpan.FromMilliseconds(1), queueLimit: 1000);
        string Written() { lock (output) return Encoding.UTF8.GetString(output.ToArray()); }

        await Task.Delay(50);
        sink.Wakeups.ShouldBe(0, "nothing was logged, so the writer had nothing to wake up for");

        sink.Emit(Event(1));
        await WaitUntilAsync(() => Written().Length > 0, TimeSpan.FromSeconds(5));
        Written().ShouldBe("event 1" + Environment.NewLine);
        var afterTheEvent = sink.Wakeups;

        await Task.Delay(50);
        sink.Wakeups.ShouldBe(afterTheEvent, "after writing what was queued, the writer sleeps until the next event");
    }

    [Fact]
    public async Task EventsFromManyThreadsAreAllWrittenWithoutWaitingForDispose()
    {
        var output = new MemoryStream();
        using var sink = new BatchedConsoleSink(Formatter, new NonClosingStream(output), TimeSpan.FromMilliseconds(1), queueLimit: 100_000);
        int Lines() { lock (output) return Encoding.UTF8.GetString(output.ToArray()).Count(c => c == '\n'); }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            for (var n = 0; n < 2000; n++)
            {
                sink.Emit(Event(t * 10_000 + n));
                if (n % 100 == 0)
                    await Task.Yield(); // batches end and new ones start while others are still logging
            }
        })));

        await WaitUntilAsync(() => Lines() >= 8000, TimeSpan.FromSeconds(10));
        Lines().ShouldBe(8000, "every event is written by a timer the event itself or an earlier one armed");
    }

    [Fact]
    public void AnEventLoggedAfterDisposeIsIgnoredWithoutAnError()
    {
        var sink = new BatchedConsoleSink(Formatter, new MemoryStream(), TimeSpan.FromMilliseconds(1), queueLimit: 1000);
        sink.Dispose();

        Should.NotThrow(() => sink.Emit(Event(1)));
        Should.NotThrow(sink.Dispose);
    }

    [Fact]
    public void EventsBeyondTheQueueLimitAreDroppedAndCountedNeverBlocking()
    {
        var output = new MemoryStream();
        var sink = new BatchedConsoleSink(Formatter, output, TimeSpan.FromSeconds(10), queueLimit: 100);

        for (var n = 1; n <= 150; n++)
            sink.Emit(Event(n));
        sink.Dispose();

        var text = Encoding.UTF8.GetString(output.ToArray());
        text.ShouldContain("event 100");
        text.ShouldNotContain("event 101");
        text.ShouldContain("50 log events were dropped");
    }

    [Fact]
    public async Task TheLimitCountsWhatIsQueuedNotWhatWasEverQueued()
    {
        // Written entries leave the count in chunks; after each batch the count is back to what is still queued.
        var output = new MemoryStream();
        var sink = new BatchedConsoleSink(Formatter, new NonClosingStream(output), TimeSpan.FromMilliseconds(5), queueLimit: 700);
        int Lines() { lock (output) return Encoding.UTF8.GetString(output.ToArray()).Count(c => c == '\n'); }

        for (var round = 0; round < 3; round++)
        {
            for (var n = 1; n <= 600; n++)
                sink.Emit(Event(round * 600 + n));
            await WaitUntilAsync(() => Lines() == (round + 1) * 600, TimeSpan.FromSeconds(30));
            Lines().ShouldBe((round + 1) * 600);
        }
        sink.Dispose();

        var text = Encoding.UTF8.GetString(output.ToArray());
        text.ShouldNotContain("dropped");
        text.ShouldContain("event 1800");
    }

    /// <summary>Polls <paramref name="done"/> until it holds or <paramref name="limit"/> passes; the caller asserts after it.</summary>
    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!done() && DateTime.UtcNow < deadline)
            await Task.Delay(5);
    }

    /// <summary>Lets the test read the stream while the sink still owns it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (inner) inner.Write(buffer, offset, count);
        }
    }
}
