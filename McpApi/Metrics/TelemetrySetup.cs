using System.Diagnostics;
using System.Net;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace McpApi.Metrics;

/// <summary>
/// OpenTelemetry for McpApi, off unless a setting turns it on: McpApi's own meter (<see cref="McpApiMetrics"/>), the
/// MCP SDK's meter, ASP.NET Core's and the runtime's; a Prometheus scrape endpoint <c>/metrics</c> (loopback only
/// unless allowed) and/or OTLP export of metrics and traces.
/// </summary>
public static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    /// <summary>The meters ASP.NET Core and Kestrel publish their metrics on (http.server.request.duration, kestrel.*, ...).</summary>
    private static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
    ];

    /// <summary>The MCP SDK's meter (session and operation durations).</summary>
    private const string McpSdkMeter = "Experimental.ModelContextProtocol";

    public static WebApplicationBuilder AddMcpApiTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());

        var settings = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!settings.Enabled)
            return builder; // nothing listens: every McpApiMetrics hook is one enabled-check
        var otlp = settings.OtlpUri;
        var protocol = settings.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("McpApi"))
            .WithMetrics(metrics =>
            {
                metrics.AddMcpApiMeters(settings);
                if (settings.Prometheus)
                    metrics.AddPrometheusExporter();
                if (otlp is not null)
                    metrics.AddOtlpExporter(exporter => (exporter.Endpoint, exporter.Protocol) = (WithSignalPath(otlp, protocol, "v1/metrics"), protocol));
            });
        if (otlp is not null)
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(exporter => (exporter.Endpoint, exporter.Protocol) = (WithSignalPath(otlp, protocol, "v1/traces"), protocol)));
        return builder;
    }

    /// <summary>
    /// The meters McpApi's metrics are made of (McpApi's own, the MCP SDK's, ASP.NET Core's, the runtime's) and the
    /// views that drop what costs every request without saying much. bench/MetricsSwitch builds the same outside the host.
    /// </summary>
    public static MeterProviderBuilder AddMcpApiMeters(this MeterProviderBuilder metrics, TelemetryOptions settings)
    {
        metrics.AddMeter(McpApiMetrics.MeterName, McpSdkMeter)
            // ASP.NET Core's own meters, as AddAspNetCoreInstrumentation() enables them on .NET 8+, without the
            // startup filter it also adds: one more async middleware around every request, only to tag
            // unhandled exceptions, which McpApi's error handler never lets through.
            .AddMeter(AspNetCoreMeters)
            .AddRuntimeInstrumentation()
            // Instruments ASP.NET Core updates several times per request that add little to
            // http.server.request.duration and mcpapi.handler.duration (every request matches a route; requests in flight;
            // every rent and return of a Kestrel memory block): dropped, so ASP.NET Core does not record them,
            // to keep the metrics' cost on the envelope benchmark small.
            .AddView("aspnetcore.routing.match_attempts", MetricStreamConfiguration.Drop)
            .AddView("http.server.active_requests", MetricStreamConfiguration.Drop)
            .AddView("aspnetcore.memory_pool.*", MetricStreamConfiguration.Drop);
        // Dropped unless asked for: while it is on, ASP.NET Core sets up its metrics context (a request feature,
        // tags, a timestamp) on every request, envelopes too, though they opt out of it (DisableHttpMetrics).
        if (!settings.HttpServerRequestDuration)
            metrics.AddView("http.server.request.duration", MetricStreamConfiguration.Drop);
        return metrics;
    }

    /// <summary>
    /// While traces are recorded, the request's trace id becomes <see cref="HttpContext.TraceIdentifier"/>, so the
    /// request log, error envelopes and the exported trace carry the same id. Call first in the pipeline.
    /// </summary>
    public static IApplicationBuilder UseTraceIdentifiers(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IOptions<TelemetryOptions>>().Value.OtlpUri is null)
            return app;
        return app.Use((http, next) =>
        {
            if (Activity.Current is { } activity)
                http.TraceIdentifier = activity.TraceId.ToHexString();
            return next(http);
        });
    }

    /// <summary>
    /// Maps <c>GET /metrics</c> when <c>McpApi:Telemetry:Prometheus</c> is on; only to loopback callers unless allowed.
    /// A routed endpoint, not a middleware with a path check: other requests (every envelope) never look at it.
    /// </summary>
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder routes)
    {
        var settings = routes.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (!settings.Prometheus)
            return routes;
        routes.MapPrometheusScrapingEndpoint(
                path: MetricsPath,
                meterProvider: null,
                configureBranchedPipeline: branch => branch.Use((http, next) =>
                    settings.PrometheusAllowRemote || IsLoopback(http.Connection.RemoteIpAddress) ? next(http) : RefuseAsync(http)),
                optionsName: null)
            .ExcludeFromDescription();
        return routes;
    }

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static Task RefuseAsync(HttpContext http) =>
        new EnvelopeResult(Dispatcher.Failure(RequestError.Forbidden("metrics_forbidden",
            $"{MetricsPath} answers only callers on this machine (loopback). Scrape it from there, or set {TelemetryOptions.Section}:PrometheusAllowRemote=true to serve it to every caller that reaches the server."),
            http.TraceIdentifier)).ExecuteAsync(http);

    /// <summary>OTLP over HTTP posts each signal to its own path; gRPC takes the collector's address as it is.</summary>
    private static Uri WithSignalPath(Uri endpoint, OtlpExportProtocol protocol, string signal) =>
        protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/" + signal);
}
