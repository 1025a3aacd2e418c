using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace McpApi.Metrics;

/// <summary>
/// McpApi's own instruments, on the meter <see cref="MeterName"/>. Each hook is one call from the place that knows the
/// fact (the dispatcher, a door, the event hub, storage). With no listener (metrics off, the default) every hook costs
/// one enabled-check. Label values are bounded: model and action are registered names or <c>unknown</c>, never raw input.
/// </summary>
public static class McpApiMetrics
{
    public const string MeterName = "McpApi";

    /// <summary>Label value for a model or action the registry does not know (or a request that could not be parsed).</summary>
    public const string Unknown = "unknown";

    private static readonly Meter Meter = new(MeterName, typeof(McpApiMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// One instrument per envelope: its count (Prometheus <c>mcpapi_handler_duration_seconds_count</c>) is the number of
    /// envelopes answered by door, model, action and status, so no second instrument (and tag lookup) is paid per request.
    /// </summary>
    private static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram(
        "mcpapi.handler.duration", "s", "Envelopes answered, by door, model, action and status code, and the time from a parsed envelope to its answer (context, validation, handler, storage).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    private static readonly UpDownCounter<long> OpenConnections = Meter.CreateUpDownCounter<long>(
        "mcpapi.connections.open", "{connection}", "Open real-time connections, by door (ws, tcp, sse). HTTP connections: kestrel.active_connections.");

    private static readonly UpDownCounter<long> McpSessions = Meter.CreateUpDownCounter<long>(
        "mcpapi.mcp.sessions", "{session}", "MCP sessions running on the Streamable HTTP door.");

    private static readonly Counter<long> OverflowCuts = Meter.CreateCounter<long>(
        "mcpapi.subscribers.overflow_cuts", "{subscriber}", "Subscribers disconnected because their event queue overflowed.");

    private static readonly Histogram<double> StorageWriteDuration = Meter.CreateHistogram(
        "mcpapi.storage.write.duration", "s", "Time of one storage commit (waiting for the writer, the transaction and its fsync).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    private static readonly Histogram<long> StorageBatchSize = Meter.CreateHistogram(
        "mcpapi.storage.write.batch_size", "{write}", "Writes committed together in one transaction.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    private static readonly ConcurrentDictionary<IQueueDepthSource, byte> QueueSources = new();

    static McpApiMetrics()
    {
        // A collection runs every observable instrument's callback before it reads any instrument: this one also
        // records the answers threads still keep, so the histogram read next counts every envelope answered so far.
        Meter.CreateObservableGauge("mcpapi.subscribers", () => { AnsweredOnThisThread.RecordAll(); return Observe(static q => q.Subscribers); }, "{subscriber}",
            "Event subscribers (WebSocket and TCP connections, SSE streams).");
        Meter.CreateObservableGauge("mcpapi.subscribers.queued_events", () => Observe(static q => q.QueuedEvents), "{event}",
            "Events waiting in subscriber queues, all subscribers together.");
        Meter.CreateObservableGauge("mcpapi.subscribers.queue_depth_max", () => ObserveMax(), "{event}",
            "The deepest subscriber queue (a subscriber is cut when it reaches McpApi:Realtime:SubscriberQueueCapacity).");
    }

    /// <summary>Whether anyone listens to the request instrument (labels need not be computed otherwise).</summary>
    public static bool RequestsObserved => HandlerDuration.Enabled;

    /// <summary>
    /// One envelope answered by the dispatcher. Kept with its thread's other answers (<see cref="AnsweredOnThisThread"/>)
    /// and recorded with them: recorded one by one, both cores wrote the histogram's shared state for every envelope
    /// (OpenTelemetry with McpApi's meter: +5.7% CPU per request in the envelope benchmark, mean of four runs of
    /// bench/metrics_cost.sh; +3.3% batched, mean of eight; bench/README.md, "eighth pass").
    /// </summary>
    public static void RequestCompleted(string door, string model, string action, int statusCode, long startedTimestamp)
    {
        if (HandlerDuration.Enabled)
            (AnsweredOnThisThread.Current ??= AnsweredOnThisThread.Start()).Add(
                new Answered(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, door, model, action, StatusLabel(statusCode)));
    }

    private readonly record struct Answered(double Seconds, string Door, string Model, string Action, string Status);

    /// <summary>
    /// The answers one thread has given and not yet recorded: recorded together when <see cref="Capacity"/> are kept,
    /// and every thread's at each collection (the observable instruments' callbacks run before the histogram is read,
    /// so an export or scrape counts every envelope answered before it); a thread that has ended is recorded and
    /// forgotten at the next collection or when another thread starts answering. Its lock is the owning thread's alone
    /// but for the moment a collection takes it.
    /// </summary>
    private sealed class AnsweredOnThisThread
    {
        private const int Capacity = 64;
        private static readonly List<AnsweredOnThisThread> EveryThread = [];

        [ThreadStatic] public static AnsweredOnThisThread? Current;

        private readonly Answered[] _kept = new Answered[Capacity];
        private readonly Lock _lock = new();
        private readonly Thread _owner = Thread.CurrentThread;
        private int _count;

        public static AnsweredOnThisThread Start()
        {
            var answers = new AnsweredOnThisThread();
            lock (EveryThread)
            {
                Record(endedOnly: true); // threads that ended are not kept for ever when nothing collects
                EveryThread.Add(answers);
            }
            return answers;
        }

        public void Add(in Answered answer)
        {
            lock (_lock)
            {
                _kept[_count++] = answer;
                if (_count == Capacity)
                    RecordLocked();
            }
        }

        public static void RecordAll()
        {
            lock (EveryThread)
                Record(endedOnly: false);
        }

        /// <summary>Records the kept answers of every thread (or of those that ended) and forgets the threads that ended. Under EveryThread's lock.</summary>
        private static void Record(bool endedOnly)
        {
            for (var i = EveryThread.Count - 1; i >= 0; i--)
            {
                var answers = EveryThread[i];
                // Read before its answers are recorded: a thread that had ended by then adds none after them. (Read
                // after, a thread that answered once more and ended in between was dropped with that answer.)
                var ended = !answers._owner.IsAlive;
                if (endedOnly && !ended)
                    continue;
                lock (answers._lock)
                    answers.RecordLocked();
                if (ended)
                    EveryThread.RemoveAt(i);
            }
        }

        private void RecordLocked()
        {
            try
            {
                foreach (ref readonly var answer in _kept.AsSpan(0, _count))
                    HandlerDuration.Record(answer.Seconds,
                        new TagList { { "door", answer.Door }, { "model", answer.Model }, { "action", answer.Action }, { "status", answer.Status } });
            }
            finally
            {
                _count = 0; // a listener that throws loses these answers, not every later one (a full array)
            }
        }
    }

    /// <summary>A real-time connection opened on <paramref name="door"/>; dispose the handle when it closes.</summary>
    public static OpenConnection ConnectionOpened(string door)
    {
        OpenConnections.Add(1, new KeyValuePair<string, object?>("door", door));
        return new OpenConnection(door);
    }

    /// <summary>Counts its connection as closed when disposed.</summary>
    public readonly struct OpenConnection(string door) : IDisposable
    {
        public void Dispose() => OpenConnections.Add(-1, new KeyValuePair<string, object?>("door", door));
    }

    public static void McpSessionStarted() => McpSessions.Add(1);

    public static void McpSessionEnded() => McpSessions.Add(-1);

    public static void SubscriberCut() => OverflowCuts.Add(1);

    /// <summary>One storage commit of <paramref name="writes"/> writes that started at <paramref name="startedTimestamp"/>.</summary>
    public static void StorageCommitted(int writes, long startedTimestamp)
    {
        if (StorageWriteDuration.Enabled)
            StorageWriteDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);
        if (StorageBatchSize.Enabled)
            StorageBatchSize.Record(writes);
    }

    /// <summary>Reports <paramref name="source"/>'s queues until the returned handle is disposed.</summary>
    public static IDisposable ObserveQueues(IQueueDepthSource source)
    {
        QueueSources.TryAdd(source, 0);
        return new Unregister(source);
    }

    private static long Observe(Func<QueueDepths, long> pick) => QueueSources.Keys.Sum(s => pick(s.QueueDepths()));

    private static long ObserveMax() => QueueSources.Keys.Select(s => s.QueueDepths().Deepest).DefaultIfEmpty(0).Max();

    private static readonly string[] StatusLabels = [.. Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static string StatusLabel(int statusCode) =>
        (uint)statusCode < (uint)StatusLabels.Length ? StatusLabels[statusCode] : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Unregister(IQueueDepthSource source) : IDisposable
    {
        public void Dispose() => QueueSources.TryRemove(source, out _);
    }
}

/// <summary>A snapshot of an event hub's subscriber queues.</summary>
public readonly record struct QueueDepths(long Subscribers, long QueuedEvents, long Deepest);

/// <summary>An event hub whose subscriber queues <see cref="McpApiMetrics"/> reports.</summary>
public interface IQueueDepthSource
{
    QueueDepths QueueDepths();
}
