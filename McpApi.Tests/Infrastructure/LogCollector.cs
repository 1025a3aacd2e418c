using System.Collections.Concurrent;
using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Infrastructure;

/// <summary>A Serilog sink a test registers (<c>services.AddSingleton&lt;ILogEventSink&gt;(collector)</c>) to see what the server logged.</summary>
internal sealed class LogCollector : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IEnumerable<LogEvent> Events => _events;

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>The first event matching <paramref name="match"/>, waiting for it up to <paramref name="timeout"/>.</summary>
    public async Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_events.FirstOrDefault(match) is { } found)
                return found;
            await Task.Delay(50);
        }
        throw new ShouldAssertException($"No log event {what} within {timeout}. Logged: {string.Join(" | ", _events.Select(e => e.RenderMessage()))}");
    }
}
