using McpApi.Logging;
using Microsoft.AspNetCore.Http;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace McpApi.Tests.Logging;

/// <summary>The request line in the default text layout is written without Serilog's formatter, character for character alike.</summary>
public sealed class RequestLineFormatterTests
{
    private static readonly MessageTemplateTextFormatter Serilog = new(BatchedConsoleSinkExtensions.DefaultOutputTemplate);

    private sealed class LastEvent : ILogEventSink
    {
        public LogEvent? Event { get; private set; }

        public void Emit(LogEvent logEvent) => Event = logEvent;
    }

    /// <summary>Takes characters without allocating (a StreamWriter's flushes do).</summary>
    private sealed class DiscardingWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) { }

        public override void Write(ReadOnlySpan<char> buffer) { }
    }

    /// <summary>A request event as the middleware writes it, escaped by the enricher the host adds.</summary>
    private static async Task<LogEvent> RequestEventAsync(string method, string path, string? model, string? action, int status, string traceId = "0HN7:00000001")
    {
        var sink = new LastEvent();
        using var logger = new LoggerConfiguration().Enrich.With<LogValueEscaping>().WriteTo.Sink(sink).CreateLogger();
        var http = new DefaultHttpContext { TraceIdentifier = traceId };
        http.Request.Method = method;
        http.Request.Path = path;
        if (model is not null || action is not null)
            http.Features.Set(new McpApi.Doors.Http.EnvelopeNames { Model = model, Action = action });
        await new RequestCompletionLogging(context => { context.Response.StatusCode = status; return Task.CompletedTask; }, logger).InvokeAsync(http);
        return sink.Event.ShouldNotBeNull();
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(LogEventLevel.Warning, false)]
    public async Task TheRequestEventFollowsTheLevelSetForItsSourceContext(LogEventLevel? requestLogLevel, bool written)
    {
        var sink = new LastEvent();
        var configuration = new LoggerConfiguration().WriteTo.Sink(sink);
        if (requestLogLevel is { } level)
            configuration.MinimumLevel.Override(typeof(RequestCompletionLogging).FullName!, level);
        using var logger = configuration.CreateLogger();

        await new RequestCompletionLogging(_ => Task.CompletedTask, logger).InvokeAsync(new DefaultHttpContext());

        (sink.Event is not null).ShouldBe(written);
        if (written)
            sink.Event!.Properties["SourceContext"].ToString().ShouldBe($"\"{typeof(RequestCompletionLogging).FullName}\"");
    }

    private static string Write(Serilog.Formatting.ITextFormatter formatter, LogEvent logEvent)
    {
        using var writer = new StringWriter();
        formatter.Format(logEvent, writer);
        return writer.ToString();
    }

    public static TheoryData<string, string, string?, string?, int> Requests() => new()
    {
        { "POST", "/mcp", "echo", "echo", 200 },
        { "GET", "/health", null, null, 200 },
        { "POST", "/mcp", "x\r\n[21:05:00 INF] HTTP POST /mcp notes/delete responded 200\0", null, 404 },
        { "GET", "/nothing\r\n[fake]\u2028\u007f", null, null, 404 },
        { "PATCH", "/mcp/ünïcødé/€", "notes", "add", 422 },
        { "POST", "/mcp", "chat", "send", 503 },
        { "DELETE", "/" + new string('a', 600), null, null, 404 },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task TheRequestLineIsWhatSerilogWrites(string method, string path, string? model, string? action, int status)
    {
        var logEvent = await RequestEventAsync(method, path, model, action, status);

        Write(new RequestLineFormatter(Serilog), logEvent).ShouldBe(Write(Serilog, logEvent));
    }

    /// <summary>The same request as a <see cref="RequestLine"/>, the way the middleware hands it to the console sink directly.</summary>
    private static RequestLine LineOf(LogEvent logEvent, string method, string path, string? model, string? action, int status, long elapsedMicroseconds = 412) =>
        new(logEvent.Timestamp, logEvent.Level, method, path, model, action, status, elapsedMicroseconds);

    /// <summary>The request event with the elapsed time the middleware gives it for <paramref name="microseconds"/>.</summary>
    private static LogEvent WithElapsed(LogEvent logEvent, long microseconds)
    {
        logEvent.AddOrUpdateProperty(new LogEventProperty("Elapsed", new ScalarValue(RequestLine.Milliseconds(microseconds))));
        return logEvent;
    }

    private static string Write(RequestLine line)
    {
        using var writer = new StringWriter();
        new RequestLineFormatter(Serilog).Format(line, writer);
        return writer.ToString();
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task ARequestLineIsWhatSerilogWritesForTheRequestEvent(string method, string path, string? model, string? action, int status)
    {
        var logEvent = WithElapsed(await RequestEventAsync(method, path, model, action, status), 412);

        Write(LineOf(logEvent, method, path, model, action, status)).ShouldBe(Write(Serilog, logEvent));
    }

    [Fact]
    public async Task ARequestLineWithoutAPathIsWhatSerilogWrites()
    {
        var logEvent = await RequestEventAsync("GET", "/", null, null, 200);
        logEvent.AddOrUpdateProperty(new LogEventProperty("RequestPath", new ScalarValue(null)));
        WithElapsed(logEvent, 7);
        var line = new RequestLine(logEvent.Timestamp, logEvent.Level, "GET", null, null, null, 200, 7);

        Write(line).ShouldBe(Write(Serilog, logEvent));
        Write(new RequestLineFormatter(Serilog), logEvent).ShouldBe(Write(Serilog, logEvent));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.0004999)]
    [InlineData(0.0005)]
    [InlineData(0.0015)]
    [InlineData(0.0025)]
    [InlineData(1.0005)]
    [InlineData(2.675)]
    [InlineData(1234.5675)]
    [InlineData(99999.99951)]
    [InlineData(1e15 + 0.5)]
    public async Task TheElapsedTimeIsWhatSerilogWrites(double elapsedMs)
    {
        var logEvent = await RequestEventAsync("POST", "/mcp", "echo", "echo", 200);
        logEvent.AddOrUpdateProperty(new LogEventProperty("Elapsed", new ScalarValue(elapsedMs)));

        Write(new RequestLineFormatter(Serilog), logEvent).ShouldBe(Write(Serilog, logEvent));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(9L)]
    [InlineData(412L)]
    [InlineData(999L)]
    [InlineData(1000L)]
    [InlineData(1001L)]
    [InlineData(2675L)]
    [InlineData(1234567L)]
    [InlineData(86_400_000_000L)]
    [InlineData(999_999_999_999_999L)]
    public async Task ARequestLinesElapsedTimeIsWhatSerilogWritesForTheEventsMilliseconds(long microseconds)
    {
        var logEvent = WithElapsed(await RequestEventAsync("POST", "/mcp", "echo", "echo", 200), microseconds);

        Write(LineOf(logEvent, "POST", "/mcp", "echo", "echo", 200, microseconds)).ShouldBe(Write(Serilog, logEvent));
    }

    [Fact]
    public void OtherEventsAndEventsWithAnExceptionAreWrittenBySerilog()
    {
        var other = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Warning, null, new MessageTemplateParser().Parse("Other {Value:0.0}"),
            [new LogEventProperty("Value", new ScalarValue(1.25))]);
        var failed = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Error, new InvalidOperationException("boom"), other.MessageTemplate, []);

        Write(new RequestLineFormatter(Serilog), other).ShouldBe(Write(Serilog, other));
        Write(new RequestLineFormatter(Serilog), failed).ShouldBe(Write(Serilog, failed));
    }

    /// <summary>Bytes <paramref name="write"/> allocates over 100 calls on a discarding writer, after one warm-up call.</summary>
    private static long AllocatedBy(Action<RequestLineFormatter, TextWriter> write)
    {
        var formatter = new RequestLineFormatter(Serilog);
        using var writer = new DiscardingWriter();
        write(formatter, writer);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            write(formatter, writer);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public async Task WritingTheRequestLineAllocatesNothing()
    {
        var logEvent = await RequestEventAsync("POST", "/mcp", "echo", "echo", 200);

        AllocatedBy((formatter, writer) => formatter.Format(logEvent, writer)).ShouldBe(0);
    }

    [Fact]
    public void WritingARequestLineAllocatesNothing()
    {
        var line = new RequestLine(DateTimeOffset.UtcNow, LogEventLevel.Information, "POST", "/mcp", "echo", "echo", 200, 250);

        AllocatedBy((formatter, writer) => formatter.Format(line, writer)).ShouldBe(0);
    }
}
