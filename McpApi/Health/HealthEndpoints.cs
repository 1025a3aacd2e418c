using McpApi.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpApi.Health;

/// <summary>
/// <c>GET /health</c> (liveness: the process answers) and <c>GET /health/ready</c> (readiness: every
/// dependency answers), both over ASP.NET Core's <see cref="HealthCheckService"/>. Checks tagged
/// <see cref="ReadyTag"/> run only for readiness.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddMcpApiHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy("The server is running."));

    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");
        group.MapGet("/", Liveness).WithName("Liveness").WithSummary("Liveness: the process is up")
            .WithResponseDescriptions("The process answers", "A liveness check failed");
        group.MapGet("/ready", Readiness).WithName("Readiness").WithSummary("Readiness: every dependency (storage, ...) answers")
            .WithResponseDescriptions("Every dependency answers", "A dependency (e.g. the database) does not answer: checks.*.error says which and why (to loopback callers)");
        return group;
    }

    /// <summary>Lists the 503 beside the 200 (a <see cref="JsonHttpResult{T}"/> does not say its status) with descriptions.</summary>
    private static RouteHandlerBuilder WithResponseDescriptions(this RouteHandlerBuilder endpoint, string ok, string unavailable) =>
        endpoint.WithMetadata(
            new ProducesResponseTypeAttribute<HealthReportBody>(StatusCodes.Status200OK, "application/json") { Description = ok },
            new ProducesResponseTypeAttribute<HealthReportBody>(StatusCodes.Status503ServiceUnavailable, "application/json") { Description = unavailable });

    internal static async Task<Results<Ok<HealthReportBody>, JsonHttpResult<HealthReportBody>>> Liveness(HealthCheckService health, CancellationToken ct) =>
        Write(await health.CheckHealthAsync(check => !check.Tags.Contains(ReadyTag), ct));

    internal static async Task<Results<Ok<HealthReportBody>, JsonHttpResult<HealthReportBody>>> Readiness(
        HealthCheckService health, HttpContext http, CallerAuthentication authentication, CancellationToken ct) =>
        Write(await health.CheckHealthAsync(ct), withDetails: await MaySeeDetailsAsync(http, authentication));

    /// <summary>
    /// Without authentication, callers on this machine see the details; with it, only authenticated callers do, so an
    /// anonymous caller learns nothing about the server's files even from loopback.
    /// </summary>
    private static async ValueTask<bool> MaySeeDetailsAsync(HttpContext http, CallerAuthentication authentication)
    {
        if (!authentication.Required)
            return IsLocalCaller(http);
        var caller = await authentication.CallerAsync(http, "http");
        return caller.Identity is not null;
    }

    /// <summary>
    /// Check descriptions and errors name the database path and its faults: only a caller on this machine (loopback, or
    /// no IP at all as on a Unix socket) sees them. Everyone else gets each check's status without its details.
    /// </summary>
    internal static bool IsLocalCaller(HttpContext http) =>
        http.Connection.RemoteIpAddress is not { } address || System.Net.IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static Results<Ok<HealthReportBody>, JsonHttpResult<HealthReportBody>> Write(HealthReport report, bool withDetails = true)
    {
        var status = HealthReportBody.From(report, withDetails);
        return report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy
            ? TypedResults.Json(status, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(status);
    }
}

/// <summary><c>{"status":"Healthy","totalMs":1.2,"checks":{"self":{"status":"Healthy","description":"..."}}}</c></summary>
public sealed record HealthReportBody(string Status, double TotalMs, IReadOnlyDictionary<string, HealthCheckStatus> Checks)
{
    /// <param name="withDetails">Include each check's description and error (false: only its status).</param>
    public static HealthReportBody From(HealthReport report, bool withDetails = true) => new(
        report.Status.ToString(),
        Math.Round(report.TotalDuration.TotalMilliseconds, 3),
        report.Entries.ToDictionary(e => e.Key, e => withDetails
            ? new HealthCheckStatus(e.Value.Status.ToString(), e.Value.Description, e.Value.Exception?.Message)
            : new HealthCheckStatus(e.Value.Status.ToString(), null, null)));
}

public sealed record HealthCheckStatus(string Status, string? Description, string? Error);
