using System.Diagnostics.Metrics;
using McpApi.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

/// <summary>
/// Loaded by the runtime into a McpApi server when DOTNET_STARTUP_HOOKS names this assembly (bench/metrics_cost.sh).
/// It watches the file METRICS_SWITCH_FILE names: "on" builds a meter provider with McpApi's own metrics configuration
/// (<see cref="TelemetrySetup.AddMcpApiMeters"/>, the same meters and views as McpApi:Telemetry:Prometheus=true) and a
/// reader that collects every point every 5 s, as a Prometheus server scraping /metrics would; "off" disposes it, so
/// every instrument is disabled again. Once a request is done (and the heap collected) it is written to the same
/// path + ".applied".
/// One process measured in turns with and without metrics leaves out what differs from one process to another
/// (10-15% per request on this VM), which a comparison of two processes cannot.
/// A mode ("on:MODE", or METRICS_SWITCH_MODE for plain "on") turns on a part instead, to find where a cost is:
/// "mcpapi-only" (the provider with McpApi's meter alone), "listener" (a bare MeterListener on McpApi's meter that
/// drops every measurement: McpApi's own work for its instruments, without OpenTelemetry's), "otel-idle" (a provider
/// with a reader and no meter); "full" is the whole configuration.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("METRICS_SWITCH_FILE");
        if (string.IsNullOrEmpty(path))
            return;
        var mode = Environment.GetEnvironmentVariable("METRICS_SWITCH_MODE") ?? "";
        var thread = new Thread(() => Watch(path, mode)) { IsBackground = true, Name = "metrics switch" };
        thread.Start();
    }

    private static void Watch(string path, string mode)
    {
        IDisposable? metrics = null;
        string? done = null; // the first request read is answered too, so the script knows the hook is loaded
        while (true)
        {
            // A request is "on", "on:MODE" or "off", optionally followed by a number that makes each request new.
            var request = File.Exists(path) ? File.ReadAllText(path).Trim() : "off";
            var state = request.Split(' ')[0].Split(':', 2);
            if (request != done && state[0] is "on" or "off")
            {
                if (state[0] == "on")
                    metrics ??= TurnOn(state.Length > 1 ? state[1] : mode);
                else
                {
                    metrics?.Dispose();
                    metrics = null;
                }
                // Building a provider allocates its metric points (megabytes, much of it on the large object heap),
                // disposing it leaves them as garbage: collected here, after every request whether it changed the
                // state or not, so no slice pays for a switch and every slice starts with the same empty heap.
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                done = request;
                File.WriteAllText(path + ".tmp", done);
                File.Move(path + ".tmp", path + ".applied", overwrite: true);
            }
            Thread.Sleep(10);
        }
    }

    private static IDisposable TurnOn(string mode) => mode switch
    {
        "listener" => BareListener(),
        "otel-idle" => WithReader(Sdk.CreateMeterProviderBuilder().AddMeter("NoSuchMeter")),
        "mcpapi-only" => WithReader(Sdk.CreateMeterProviderBuilder().AddMeter(McpApiMetrics.MeterName)),
        "" or "full" => WithReader(Sdk.CreateMeterProviderBuilder().AddMcpApiMeters(new TelemetryOptions())),
        _ => throw new InvalidOperationException($"METRICS_SWITCH_MODE={mode}: expected listener, otel-idle, mcpapi-only or nothing"),
    };

    private static MeterProvider WithReader(MeterProviderBuilder builder) =>
        builder.AddReader(new PeriodicExportingMetricReader(new ReadEveryPoint(), exportIntervalMilliseconds: 5000)).Build();

    private static MeterListener BareListener()
    {
        var listener = new MeterListener { InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == McpApiMetrics.MeterName) l.EnableMeasurementEvents(instrument); } };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => { });
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => { });
        listener.Start();
        return listener;
    }

    /// <summary>Reads every value of every metric point, as an exporter formatting them for a scrape would.</summary>
    private sealed class ReadEveryPoint : BaseExporter<Metric>
    {
        public long Checksum { get; private set; }

        public override ExportResult Export(in Batch<Metric> batch)
        {
            long sum = 0;
            foreach (var metric in batch)
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    foreach (var tag in point.Tags)
                        sum += tag.Key.Length;
                    sum += metric.MetricType switch
                    {
                        MetricType.Histogram => point.GetHistogramCount() + HistogramBuckets(point),
                        MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                        MetricType.LongGauge => point.GetGaugeLastValueLong(),
                        MetricType.DoubleGauge => (long)point.GetGaugeLastValueDouble(),
                        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => (long)point.GetSumDouble(),
                        _ => 0,
                    };
                }
            Checksum += sum;
            return ExportResult.Success;
        }

        private static long HistogramBuckets(in MetricPoint point)
        {
            long count = 0;
            foreach (var bucket in point.GetHistogramBuckets())
                count += bucket.BucketCount;
            return count;
        }
    }
}
