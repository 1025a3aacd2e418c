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
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();

    public static void AddMcpApiLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, configuration) => configuration
            // ASP.NET Core's hosting diagnostics ("Request starting/finished") duplicate the request-completion
            // event; while their logger is enabled at all, hosting also opens a log scope and an Activity per request.
            .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", LevelAlias.Off)
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext(),
            // Each host builds its own logger, so several hosts (tests) can run in one process.
            preserveStaticLogger: true);
    }

    /// <summary>One structured event per request: method, path, status, elapsed, model, action.</summary>
    public static IApplicationBuilder UseMcpApiRequestLogging(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestCompletionLogging>();
}
