using System.Net;
using System.Security.Claims;

namespace McpApi.Dispatching;

/// <summary>Who is calling and through which door; for logs, trace ids, rate limits and (later) authorization.</summary>
/// <param name="Door">http, mcp, ws, sse, tcp, stdio.</param>
/// <param name="TraceId">Returned in error envelopes so a failure can be found in the logs.</param>
public sealed record CallContext(string Door, string TraceId)
{
    /// <summary>The authenticated caller (<see cref="ClaimsPrincipal.Identity"/>.Name is its identity), or null when anonymous.</summary>
    public ClaimsPrincipal? User { get; init; }

    /// <summary>The client's IP address; null for a door without one (stdio, in-process calls).</summary>
    public IPAddress? ClientAddress { get; init; }
}
