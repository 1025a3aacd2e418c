using McpApi.Dispatching;
using McpApi.Doors.Http;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpApi.Doors.Mcp;

/// <summary>
/// DNS-rebinding protection the MCP specification requires and the SDK leaves to the host:
/// a request whose <c>Host</c> is not in <c>AllowedHosts</c>, or whose <c>Origin</c> is present, is not the origin the
/// request was sent to (same host and port as <c>Host</c>) and is not allowed for other sites (<c>Mcp:AllowedOrigins</c>,
/// default loopback), gets 403 — a JSON-RPC error on MCP endpoints, an error envelope elsewhere. This covers every door
/// on the HTTP port: the envelope, MCP, SSE and the WebSocket upgrade.
/// </summary>
internal sealed partial class OriginPolicy(
    RequestDelegate next,
    IOptionsMonitor<McpDoorOptions> mcpOptions,
    IOptions<AllowedHostsOptions> hostOptions,
    ILogger<OriginPolicy> logger)
{
    public const string ForbiddenOrigin = "forbidden_origin";
    public const string ForbiddenHost = "forbidden_host";

    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    private readonly StringSegment[] _allowedHosts = hostOptions.Value.Patterns();

    /// <summary>The last <c>Host</c> value found allowed: clients send the same one on every request.</summary>
    private string? _lastAllowedHost;

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!IsAllowedHost(request.Host.Value))
        {
            LogRejected(logger, "Host", request.Host.Value ?? "", request.Path);
            return RejectAsync(http, ForbiddenHost,
                $"Host '{request.Host.Value}' is not allowed (DNS-rebinding protection). Use http://localhost:<port>, or add the name to the AllowedHosts setting (e.g. AllowedHosts=mcp.example.com; '*' allows any host).");
        }

        if (request.Headers.Origin is [{ } origin, ..] && !string.IsNullOrEmpty(origin)
            && !IsSameOrigin(origin, request.Host) && !IsAllowed(origin, mcpOptions.CurrentValue.AllowedOrigins))
        {
            LogRejected(logger, "Origin", origin, request.Path);
            return RejectAsync(http, ForbiddenOrigin,
                $"Origin '{origin}' is another site than this server ('{request.Host.Value}') and is not allowed to call it (DNS-rebinding protection). Add it to Mcp:AllowedOrigins (e.g. Mcp__AllowedOrigins__0={origin}).");
        }
        return next(http);
    }

    /// <summary>
    /// Whether <c>AllowedHosts</c> allows the raw <c>Host</c> header value <paramref name="host"/> (MatchesAny drops the
    /// port itself; HostString.Host would allocate the host part). The same value as the last allowed one is not matched
    /// again: the answer depends on the value alone.
    /// </summary>
    private bool IsAllowedHost(string? host)
    {
        if (_allowedHosts.Length == 0 || (host is not null && string.Equals(host, Volatile.Read(ref _lastAllowedHost), StringComparison.Ordinal)))
            return true;
        if (!HostString.MatchesAny(new StringSegment(host), _allowedHosts))
            return false;
        Volatile.Write(ref _lastAllowedHost, host);
        return true;
    }

    /// <summary>
    /// True when <paramref name="origin"/> names the host and port the request was sent to: the page calling is one this
    /// server served (the web console, Swagger UI), whatever name or address it was opened by. The scheme is not compared,
    /// so a page served over https by a TLS-terminating proxy still matches.
    /// </summary>
    internal static bool IsSameOrigin(string origin, HostString host)
    {
        if (!host.HasValue || !TryParseOrigin(origin, out var candidate))
            return false;
        return Uri.TryCreate($"{candidate.Scheme}://{host.Value}/", UriKind.Absolute, out var target)
            && target.IdnHost.Equals(candidate.IdnHost, StringComparison.OrdinalIgnoreCase)
            && target.Port == candidate.Port;
    }

    internal static bool IsAllowed(string origin, IReadOnlyList<string> allowed)
    {
        if (!TryParseOrigin(origin, out var candidate))
            return false;
        if (allowed.Count == 0)
            return LoopbackHosts.Contains(candidate.Host, StringComparer.OrdinalIgnoreCase) || candidate.IsLoopback;
        foreach (var entry in allowed)
        {
            if (entry == "*")
                return true;
            if (TryParseOrigin(entry, out var rule)
                && rule.Scheme.Equals(candidate.Scheme, StringComparison.OrdinalIgnoreCase)
                && rule.Host.Equals(candidate.Host, StringComparison.OrdinalIgnoreCase)
                && (!HasExplicitPort(entry) || rule.Port == candidate.Port))
                return true;
        }
        return false;
    }

    private static bool HasExplicitPort(string origin)
    {
        var authority = origin[(origin.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
        return authority.LastIndexOf(':') > authority.LastIndexOf(']');
    }

    internal static bool TryParseOrigin(string value, out Uri origin) =>
        Uri.TryCreate(value, UriKind.Absolute, out origin!) && origin.Scheme is "http" or "https" && origin.AbsolutePath is "/" or "";

    private static Task RejectAsync(HttpContext http, string code, string message)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<McpEndpointMetadata>() is not null)
            return McpHttpErrors.WriteAsync(http, StatusCodes.Status403Forbidden, McpErrorCode.InvalidRequest, message);
        return new EnvelopeResult(Dispatcher.Failure(RequestError.Forbidden(code, message), http.TraceIdentifier)).ExecuteAsync(http);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected request with foreign {Header} '{Value}' for {Path}")]
    private static partial void LogRejected(ILogger logger, string header, string value, PathString path);
}

/// <summary>
/// The <c>AllowedHosts</c> setting (semicolon-separated, e.g. <c>localhost;127.0.0.1;[::1]</c>; <c>*</c> allows any).
/// McpApi checks it itself so a rejected request gets an error body; ASP.NET Core's own host filter is set to allow all.
/// </summary>
internal sealed class AllowedHostsOptions
{
    public string AllowedHosts { get; set; } = "localhost;127.0.0.1;[::1]";

    public StringSegment[] Patterns()
    {
        var hosts = AllowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return hosts.Length == 0 || hosts.Contains("*") ? [] : [.. hosts.Select(h => new StringSegment(h))];
    }

    public static void DisableFrameworkFilter(HostFilteringOptions options) => options.AllowedHosts = ["*"];
}
