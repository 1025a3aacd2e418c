using Serilog;
using Serilog.Events;

namespace McpApi.Logging;

/// <summary>Serilog: a bootstrap logger until the host is built, then configuration from appsettings.</summary>
public static class LoggingSetup
{
    /// <summary>Logs start-up failures (to stderr) before the configured logger exists.</summary>
    public static Serilog.ILogger CreateBootstrapLogger() =>
        new LoggerConfiguration()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.With<LogValueEscaping>()
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();

    public static void AddMcpApiLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DirectRequestLog>();
        builder.Services.AddSerilog((services, configuration) =>
        {
            var consoleSinks = BatchedConsoleSinkExtensions.Created(() => Configure(configuration, builder.Configuration, services));
            services.GetRequiredService<DirectRequestLog>().Decide(builder.Configuration.GetSection("Serilog"), consoleSinks, services);
        },
        // Each host builds its own logger, so several hosts (tests) can run in one process.
        preserveStaticLogger: true);
    }

    private static void Configure(LoggerConfiguration configuration, IConfiguration settings, IServiceProvider services) =>
        configuration
            // ASP.NET Core's hosting diagnostics ("Request starting/finished") duplicate the request-completion
            // event; while their logger is enabled at all, hosting also opens a log scope and an Activity per request.
            .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", LevelAlias.Off)
            // Program.cs logs a start-up failure once, at Fatal (one line when the user can fix it); the host's own
            // "Hosting failed to start" would print the same exception and its stack trace a second time.
            .Filter.ByExcluding(IsHostingFailedToStart)
            .ReadFrom.Configuration(settings)
            .ReadFrom.Services(services)
            // No Enrich.FromLogContext(): McpApi pushes no LogContext properties, and reading the (empty) context costs
            // every event an AsyncLocal lookup. ASP.NET Core's and the SDK's log scopes still reach the event.
            // Last, so it sees every property: values from requests never forge a line or carry a NUL.
            .Enrich.With<LogValueEscaping>();

    private static bool IsHostingFailedToStart(LogEvent logEvent) =>
        logEvent.MessageTemplate.Text == "Hosting failed to start"
        && logEvent.Properties.TryGetValue("SourceContext", out var source)
        && source is ScalarValue { Value: "Microsoft.Extensions.Hosting.Internal.Host" };

    /// <summary>One structured event per request: method, path, status, elapsed, model, action.</summary>
    public static IApplicationBuilder UseMcpApiRequestLogging(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestCompletionLogging>();
}
