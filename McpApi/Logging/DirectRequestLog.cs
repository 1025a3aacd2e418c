using Serilog.Core;
using Serilog.Events;

namespace McpApi.Logging;

/// <summary>
/// Where the request log goes when nothing but the default console sink could see it: the one sink is McpApi's
/// <see cref="BatchedConsoleSink"/> in the default text layout, and no other sink, enricher or filter is configured
/// (in appsettings or registered as a service; McpApi's own filters that never drop a request event are
/// <see cref="IKeepsRequestEvents"/>). Then each request hands the sink a small <see cref="RequestLine"/>
/// and the sink writes the same characters Serilog would, without the Serilog event, its property dictionary and
/// values (~550 bytes and ~1 µs per request). Any other configuration gets the Serilog event, so every sink sees it.
/// </summary>
public sealed class DirectRequestLog
{
    /// <summary>The sections of <c>Serilog</c> that only choose levels and the sink, never add a reader of events.</summary>
    private static readonly HashSet<string> LevelAndSinkSections = new(StringComparer.OrdinalIgnoreCase) { "Using", "MinimumLevel", "LevelSwitches", "WriteTo" };

    /// <summary>The sink to hand request lines to, or null when the request log goes through Serilog.</summary>
    internal BatchedConsoleSink? Sink { get; private set; }

    /// <summary>Decides, once the logger is configured, whether the request log may skip Serilog.</summary>
    /// <param name="serilog">The <c>Serilog</c> configuration section the logger was read from.</param>
    /// <param name="created">The <see cref="BatchedConsoleSink"/>s that configuration created.</param>
    /// <param name="services">The services <c>ReadFrom.Services</c> took sinks, enrichers and filters from.</param>
    internal void Decide(IConfigurationSection serilog, IReadOnlyList<BatchedConsoleSink> created, IServiceProvider services)
    {
        var onlyLevelsAndOneSink = serilog.GetChildren().All(section => LevelAndSinkSections.Contains(section.Key))
            && serilog.GetSection("WriteTo").GetChildren().Count() == 1;
        var noServiceReaders = !services.GetServices<ILogEventSink>().Any()
            && !services.GetServices<ILogEventEnricher>().Any()
            && services.GetServices<ILogEventFilter>().All(filter => filter is IKeepsRequestEvents);
        Sink = onlyLevelsAndOneSink && noServiceReaders && created is [{ WritesRequestLines: true } only] ? only : null;
    }

    /// <summary>Whether request lines skip Serilog (<see cref="Write"/>); otherwise the request log writes Serilog events.</summary>
    internal bool IsOn => Sink is not null;

    /// <summary>Hands <paramref name="line"/> to the sink, which drops it below its level. Only while <see cref="IsOn"/>.</summary>
    internal void Write(RequestLine line)
    {
        var sink = Sink ?? throw new InvalidOperationException("The request log goes through Serilog: nothing takes request lines.");
        if (line.Level >= sink.MinimumLevel)
            sink.Emit(line);
    }
}

/// <summary>A Serilog filter that never drops the request event, so the request log may skip Serilog beside it.</summary>
public interface IKeepsRequestEvents : ILogEventFilter;
