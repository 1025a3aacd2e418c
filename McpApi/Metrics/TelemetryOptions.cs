using Microsoft.Extensions.Options;

namespace McpApi.Metrics;

/// <summary>The <c>McpApi:Telemetry</c> section: metrics and traces, all off by default.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "McpApi:Telemetry";

    /// <summary>Serve the Prometheus scrape endpoint <c>GET /metrics</c> (default false).</summary>
    public bool Prometheus { get; set; }

    /// <summary>Let callers that are not on this machine read <c>/metrics</c> (default false: loopback only, others get 403).</summary>
    public bool PrometheusAllowRemote { get; set; }

    /// <summary>
    /// Record ASP.NET Core's <c>http.server.request.duration</c> for every HTTP request but envelopes (default false). While
    /// that instrument is on, ASP.NET Core prepares a metrics context on every request, envelopes included (~2.5% of an
    /// echo envelope's CPU); envelopes, MCP operations and storage commits have McpApi's and the MCP SDK's histograms.
    /// </summary>
    public bool HttpServerRequestDuration { get; set; }

    /// <summary>An OpenTelemetry collector to export metrics and traces to, e.g. <c>http://localhost:4317</c> (default none).</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    public Uri? OtlpUri => Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    /// <summary>Whether anything collects telemetry; when nothing does, OpenTelemetry is not even registered.</summary>
    public bool Enabled => Prometheus || !string.IsNullOrWhiteSpace(OtlpEndpoint);
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions o)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(o.OtlpEndpoint) && o.OtlpUri is null)
            failures.Add($"{TelemetryOptions.Section}:OtlpEndpoint is '{o.OtlpEndpoint}'; set the collector's absolute http(s) address, e.g. http://localhost:4317, or leave it empty to export nothing.");
        if (o.OtlpProtocol is not ("grpc" or "http/protobuf"))
            failures.Add($"{TelemetryOptions.Section}:OtlpProtocol is '{o.OtlpProtocol}'; set grpc (default, port 4317) or http/protobuf (port 4318).");
        if (o.PrometheusAllowRemote && !o.Prometheus)
            failures.Add($"{TelemetryOptions.Section}:PrometheusAllowRemote is true but Prometheus is false; set {TelemetryOptions.Section}:Prometheus=true to serve /metrics.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
