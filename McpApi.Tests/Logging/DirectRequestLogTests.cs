using System.Text;
using McpApi.Logging;
using McpApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Logging;

/// <summary>
/// The request log skips Serilog's event only when the default console sink is the one reader of events; any other
/// sink, enricher or filter (appsettings or services) gets the request event through Serilog.
/// </summary>
public sealed class DirectRequestLogTests
{
    /// <summary>The repository's appsettings.json, as the server reads it, with <paramref name="overrides"/> on top.</summary>
    private static IConfiguration Settings(Dictionary<string, string?> overrides) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            .AddInMemoryCollection(overrides)
            .Build();

    /// <summary>Reads the logger from <paramref name="settings"/> as the server does and says whether request lines skip Serilog.</summary>
    private static bool WritesDirectly(IConfiguration settings, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        configure?.Invoke(services);
        using var provider = services.BuildServiceProvider();
        Logger? logger = null;
        var created = BatchedConsoleSinkExtensions.Created(() => logger = new LoggerConfiguration().ReadFrom.Configuration(settings).CreateLogger());
        using (logger)
        {
            var direct = new DirectRequestLog();
            direct.Decide(settings.GetSection("Serilog"), created, provider);
            return direct.Sink is not null;
        }
    }

    [Fact]
    public void TheDefaultSettingsWriteRequestLinesStraightToTheConsoleSink() =>
        WritesDirectly(Settings([])).ShouldBeTrue();

    [Fact]
    public void LevelsAndTheConsoleSinksOwnSettingsKeepTheDirectPath() =>
        WritesDirectly(Settings(new()
        {
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:MinimumLevel:Override:McpApi.Logging.RequestCompletionLogging"] = "Warning",
            ["Serilog:WriteTo:0:Args:periodMs"] = "50",
            ["Serilog:WriteTo:0:Args:queueLimit"] = "1000",
            ["Serilog:WriteTo:0:Args:restrictedToMinimumLevel"] = "Warning",
        })).ShouldBeTrue();

    public static TheoryData<string, string> OtherReaders() => new()
    {
        { "Serilog:WriteTo:0:Args:formatter", "compact" },
        { "Serilog:WriteTo:0:Args:outputTemplate", "{Timestamp:o} {Message:lj} {TraceId}{NewLine}" },
        { "Serilog:WriteTo:1:Name", "BatchedConsole" },
        { "Serilog:Enrich:0", "WithMachineName" },
        { "Serilog:Properties:Application", "McpApi" },
        { "Serilog:Filter:0:Name", "ByExcluding" },
    };

    [Theory]
    [MemberData(nameof(OtherReaders))]
    public void AnyOtherReaderInTheSettingsGetsSerilogEvents(string key, string value) =>
        WritesDirectly(Settings(new() { [key] = value })).ShouldBeFalse();

    private sealed class Discard : ILogEventSink, ILogEventEnricher, ILogEventFilter
    {
        public void Emit(LogEvent logEvent) { }

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) { }

        public bool IsEnabled(LogEvent logEvent) => true;
    }

    [Fact]
    public void ASinkEnricherOrFilterRegisteredAsAServiceGetsSerilogEvents()
    {
        WritesDirectly(Settings([]), services => services.AddSingleton<ILogEventSink>(new Discard())).ShouldBeFalse();
        WritesDirectly(Settings([]), services => services.AddSingleton<ILogEventEnricher>(new Discard())).ShouldBeFalse();
        WritesDirectly(Settings([]), services => services.AddSingleton<ILogEventFilter>(new Discard())).ShouldBeFalse();
    }

    [Fact]
    public void TheServerWritesRequestLinesDirectlyUnlessATestSinkListens()
    {
        using (var plain = new McpApiApplication())
            plain.Services.GetRequiredService<DirectRequestLog>().Sink.ShouldNotBeNull();
        using (var metrics = new McpApiApplication())
        {
            metrics.Settings["McpApi:Telemetry:Prometheus"] = "true";
            metrics.Services.GetRequiredService<DirectRequestLog>().Sink.ShouldNotBeNull("metrics on");
        }
        using var listened = new McpApiApplication { Configure = services => services.AddSingleton<ILogEventSink>(new Discard()) };
        listened.Services.GetRequiredService<DirectRequestLog>().Sink.ShouldBeNull();
    }

    /// <summary>A request logged by the middleware with the direct path on: the console sink's output, and what reached Serilog.</summary>
    private static async Task<(string Console, List<LogEvent> Serilog)> LogAsync(
        RequestDelegate endpoint, LogEventLevel sinkLevel = LogEventLevel.Verbose, LogEventLevel? requestLogLevel = null)
    {
        var output = new MemoryStream();
        var sink = new BatchedConsoleSink(new RequestLineFormatter(new Serilog.Formatting.Display.MessageTemplateTextFormatter(BatchedConsoleSinkExtensions.DefaultOutputTemplate)),
            output, TimeSpan.FromSeconds(10), queueLimit: 100, sinkLevel);
        var direct = new DirectRequestLog();
        using (var provider = new ServiceCollection().BuildServiceProvider())
            direct.Decide(Settings([]).GetSection("Serilog"), [sink], provider);
        var events = new List<LogEvent>();
        var configuration = new LoggerConfiguration().WriteTo.Sink(new Collect(events));
        if (requestLogLevel is { } level)
            configuration.MinimumLevel.Override(typeof(RequestCompletionLogging).FullName!, level);
        using var logger = configuration.CreateLogger();
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.Path = "/mcp";
        http.Features.Set(new McpApi.Doors.Http.EnvelopeNames { Model = "echo\n", Action = "echo" });
        try
        {
            await new RequestCompletionLogging(endpoint, logger, direct).InvokeAsync(http);
        }
        catch (InvalidOperationException)
        {
        }
        sink.Dispose();
        return (Encoding.UTF8.GetString(output.ToArray()), events);
    }

    private sealed class Collect(List<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Add(logEvent);
    }

    [Fact]
    public async Task TheMiddlewareHandsTheRequestToTheConsoleSinkEscaped()
    {
        var (console, serilog) = await LogAsync(http => { http.Response.StatusCode = 201; return Task.CompletedTask; });

        console.ShouldMatch(@"^\[\d\d:\d\d:\d\d INF\] HTTP POST /mcp echo\\n/echo responded 201 in \d+\.\d{3} ms\r?\n$");
        serilog.ShouldBeEmpty();
    }

    [Fact]
    public async Task AFailureWithItsExceptionGoesThroughSerilog()
    {
        var (console, serilog) = await LogAsync(_ => throw new InvalidOperationException("boom"));

        console.ShouldBeEmpty();
        serilog.ShouldHaveSingleItem().Exception.ShouldBeOfType<InvalidOperationException>();
    }

    [Fact]
    public async Task ARequestBelowTheSinksLevelIsNotWritten()
    {
        var (console, serilog) = await LogAsync(_ => Task.CompletedTask, LogEventLevel.Warning);

        console.ShouldBeEmpty();
        serilog.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheLevelSetForTheRequestLogHoldsOnTheDirectPath()
    {
        var (console, serilog) = await LogAsync(_ => Task.CompletedTask, requestLogLevel: LogEventLevel.Warning);

        console.ShouldBeEmpty();
        serilog.ShouldBeEmpty();
    }
}
