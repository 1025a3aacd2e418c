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
/// Writes log events to stdout in batches, one buffered write per batch instead of one per event.
/// Serilog's batching runs it off the request path; at tens of thousands of requests per second the
/// per-line write(2) of a plain console sink would otherwise cost a large share of throughput.
/// </summary>
public sealed class BatchedConsoleSink(ITextFormatter formatter, Stream output) : IBatchedLogEventSink, IDisposable
{
    private readonly StreamWriter _writer = new(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024)
    {
        AutoFlush = false,
    };

    public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        foreach (var logEvent in batch)
            formatter.Format(logEvent, _writer);
        await _writer.FlushAsync();
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;

    public void Dispose() => _writer.Dispose();
}

/// <summary>Lets appsettings.json choose the sink: <c>"WriteTo": [{ "Name": "BatchedConsole", "Args": { "formatter": "compact" } }]</c>.</summary>
public static class BatchedConsoleSinkExtensions
{
    public const string DefaultOutputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <param name="sinkConfiguration">The WriteTo configuration.</param>
    /// <param name="formatter"><c>text</c> (default, <paramref name="outputTemplate"/>) or <c>compact</c> (one compact JSON object per line).</param>
    /// <param name="outputTemplate">The text layout when <paramref name="formatter"/> is <c>text</c>.</param>
    /// <param name="standardError">Write to stderr instead of stdout (the stdio MCP door keeps stdout for the protocol).</param>
    /// <param name="batchSizeLimit">Most events per write.</param>
    /// <param name="bufferingTimeLimitMs">Longest an event waits before it is written.</param>
    /// <param name="queueLimit">Events held while the output is slow; beyond it new events are dropped, never blocking requests.</param>
    /// <param name="restrictedToMinimumLevel">Lowest level written.</param>
    public static LoggerConfiguration BatchedConsole(
        this LoggerSinkConfiguration sinkConfiguration,
        string formatter = "text",
        string outputTemplate = DefaultOutputTemplate,
        bool standardError = false,
        int batchSizeLimit = 1000,
        int bufferingTimeLimitMs = 200,
        int queueLimit = 100_000,
        LogEventLevel restrictedToMinimumLevel = LogEventLevel.Verbose)
    {
        ITextFormatter textFormatter = formatter.ToLowerInvariant() switch
        {
            "compact" or "json" => new CompactJsonFormatter(),
            "text" => new MessageTemplateTextFormatter(outputTemplate),
            _ => throw new ArgumentException($"Serilog BatchedConsole formatter '{formatter}' is unknown; use \"text\" or \"compact\".", nameof(formatter)),
        };
        var stream = standardError ? Console.OpenStandardError() : Console.OpenStandardOutput();
        return sinkConfiguration.Sink(
            new BatchedConsoleSink(textFormatter, stream),
            new BatchingOptions
            {
                BatchSizeLimit = batchSizeLimit,
                BufferingTimeLimit = TimeSpan.FromMilliseconds(bufferingTimeLimitMs),
                QueueLimit = queueLimit,
                EagerlyEmitFirstEvent = true,
            },
            restrictedToMinimumLevel);
    }
}
