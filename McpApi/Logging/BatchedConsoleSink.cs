using System.Collections.Concurrent;
using System.Text;
using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace McpApi.Logging;

/// <summary>
/// Writes log events to stdout (or stderr) in batches. A request only enqueues its event; the first event of a batch
/// arms a one-shot timer, and one period later the writer formats everything queued and writes it with one buffered
/// write. Nothing signals the writer per event — at tens of thousands of requests per second, per-event wake-ups (as a
/// channel reader has) and per-line write(2) calls (as a plain console sink has) would cost a large share of
/// throughput — and an idle server's writer never wakes (a fixed 10 ms tick cost ~3% of a core while nothing was logged).
/// When the output cannot keep up, events beyond <c>queueLimit</c> are dropped and counted, never blocking a request.
/// With the default text layout it also takes <see cref="RequestLine"/>s (<see cref="DirectRequestLog"/>), in the same
/// queue, so lines keep the order they were logged in.
/// </summary>
public sealed class BatchedConsoleSink : ILogEventSink, IDisposable
{
    private readonly ITextFormatter _formatter;
    private readonly RequestLineFormatter? _requestLines; // the formatter, when it writes the default text layout
    private readonly StreamWriter _writer;
    private readonly int _queueLimit;
    private readonly ConcurrentQueue<object> _queue = new(); // LogEvent or RequestLine
    private readonly TimeSpan _period;
    private readonly Timer _timer;
    private readonly Lock _writing = new(); // the timer's write and Dispose's last write never overlap
    private bool _disposed;
    private int _armed; // 1 from the first event of a batch until its write is done
    private int _queued;
    private long _dropped;
    private int _wakeups;

    public BatchedConsoleSink(ITextFormatter formatter, Stream output, TimeSpan period, int queueLimit, LogEventLevel minimumLevel = LogEventLevel.Verbose)
    {
        _formatter = formatter;
        _requestLines = formatter as RequestLineFormatter;
        MinimumLevel = minimumLevel;
        _queueLimit = queueLimit;
        _writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024) { AutoFlush = false };
        _period = period;
        _timer = new Timer(static sink => ((BatchedConsoleSink)sink!).WriteBatch(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The lowest level this sink writes (<c>restrictedToMinimumLevel</c>): Serilog applies it to events, <see cref="DirectRequestLog"/> to request lines.</summary>
    internal LogEventLevel MinimumLevel { get; }

    /// <summary>Whether it writes the default text layout, so a <see cref="RequestLine"/> can be written as Serilog would write its event.</summary>
    internal bool WritesRequestLines => _requestLines is not null;

    public void Emit(LogEvent logEvent) => Enqueue(logEvent);

    internal void Emit(RequestLine line)
    {
        if (!WritesRequestLines)
            throw new InvalidOperationException("This sink does not write the default text layout, so it cannot write request lines.");
        Enqueue(line);
    }

    private void Enqueue(object entry)
    {
        if (Interlocked.Increment(ref _queued) > _queueLimit)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _queue.Enqueue(entry);
        Arm();
    }

    /// <summary>Schedules a write one period from now, unless one is scheduled already (while one is, an event costs one read here).</summary>
    private void Arm()
    {
        if (Volatile.Read(ref _armed) != 0 || Interlocked.Exchange(ref _armed, 1) != 0)
            return;
        try
        {
            _timer.Change(_period, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed: Dispose wrote the last batch, and an event logged after it is not written (as before).
        }
    }

    /// <summary>How many times the writer has woken up to write (tests: an idle sink never wakes).</summary>
    internal int Wakeups => Volatile.Read(ref _wakeups);

    private void WriteBatch()
    {
        Interlocked.Increment(ref _wakeups);
        lock (_writing)
        {
            if (!_disposed)
                WriteQueued();
        }
        // A full fence (not a volatile write), so the queue is read after _armed is cleared: an event queued after the
        // write took the queue either saw it cleared and armed the timer itself, or is seen here and armed for.
        Interlocked.Exchange(ref _armed, 0);
        if (!_queue.IsEmpty)
            Arm();
    }

    private void WriteQueued()
    {
        if (_queue.IsEmpty && Interlocked.Read(ref _dropped) == 0)
            return;
        // Taken entries leave the count in chunks: one atomic update per entry was another write to the cache line every
        // request's Enqueue writes, from the other core.
        var taken = 0;
        try
        {
            while (_queue.TryDequeue(out var entry))
            {
                if (++taken == CountChunk)
                {
                    Interlocked.Add(ref _queued, -taken);
                    taken = 0;
                }
                if (entry is RequestLine line)
                    _requestLines!.Format(line, _writer); // Emit(RequestLine) takes lines only with it
                else
                    _formatter.Format((LogEvent)entry, _writer);
            }
            // Released before the flush, which can block on a stuck output while requests keep queueing.
            Interlocked.Add(ref _queued, -taken);
            taken = 0;
            if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped)
                _writer.WriteLine($"[{DateTimeOffset.Now:HH:mm:ss} WRN] {dropped} log events were dropped: the log output could not keep up.");
            _writer.Flush();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The output is gone (closed pipe): there is nowhere left to report it.
        }
        finally
        {
            Interlocked.Add(ref _queued, -taken);
        }
    }

    private const int CountChunk = 256;

    public void Dispose()
    {
        lock (_writing)
        {
            if (_disposed)
                return;
            _disposed = true;
            _timer.Dispose();
            WriteQueued();
            _writer.Dispose();
        }
    }
}

/// <summary>Lets appsettings.json choose the sink: <c>"WriteTo": [{ "Name": "BatchedConsole", "Args": { "formatter": "compact" } }]</c>.</summary>
public static class BatchedConsoleSinkExtensions
{
    public const string DefaultOutputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <param name="sinkConfiguration">The WriteTo configuration.</param>
    /// <param name="formatter"><c>text</c> (default, <paramref name="outputTemplate"/>) or <c>compact</c> (one compact JSON object per line).</param>
    /// <param name="outputTemplate">The text layout when <paramref name="formatter"/> is <c>text</c>.</param>
    /// <param name="standardError">Write to stderr instead of stdout (the stdio MCP door keeps stdout for the protocol).</param>
    /// <param name="periodMs">How often queued events are written: the longest an event waits.</param>
    /// <param name="queueLimit">Events held while the output is slow; beyond it new events are dropped (and counted), never blocking requests.</param>
    /// <param name="restrictedToMinimumLevel">Lowest level written.</param>
    public static LoggerConfiguration BatchedConsole(
        this LoggerSinkConfiguration sinkConfiguration,
        string formatter = "text",
        string outputTemplate = DefaultOutputTemplate,
        bool standardError = false,
        int periodMs = 10,
        int queueLimit = 100_000,
        LogEventLevel restrictedToMinimumLevel = LogEventLevel.Verbose)
    {
        ITextFormatter textFormatter = formatter.ToLowerInvariant() switch
        {
            "compact" or "json" => new CompactJsonFormatter(),
            // The request event in the default layout is rendered without Serilog's per-token work (same characters).
            "text" when outputTemplate == DefaultOutputTemplate => new RequestLineFormatter(new MessageTemplateTextFormatter(outputTemplate)),
            "text" => new MessageTemplateTextFormatter(outputTemplate),
            _ => throw new ArgumentException($"Serilog BatchedConsole formatter '{formatter}' is unknown; use \"text\" or \"compact\".", nameof(formatter)),
        };
        if (periodMs is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(periodMs), periodMs, "Serilog BatchedConsole periodMs must be between 1 and 10000.");
        var stream = standardError ? Console.OpenStandardError() : Console.OpenStandardOutput();
        var sink = new BatchedConsoleSink(textFormatter, stream, TimeSpan.FromMilliseconds(periodMs), queueLimit, restrictedToMinimumLevel);
        t_created?.Add(sink);
        return sinkConfiguration.Sink(sink, restrictedToMinimumLevel);
    }

    [ThreadStatic]
    private static List<BatchedConsoleSink>? t_created;

    /// <summary>
    /// Runs <paramref name="configure"/> (Serilog's <c>ReadFrom.Configuration</c>, which calls <see cref="BatchedConsole"/>
    /// by name) and returns the sinks it created, so <see cref="DirectRequestLog"/> can hand request lines to one of them.
    /// </summary>
    internal static List<BatchedConsoleSink> Created(Action configure)
    {
        var outer = t_created;
        var created = t_created = [];
        try
        {
            configure();
            return created;
        }
        finally
        {
            t_created = outer;
        }
    }
}
