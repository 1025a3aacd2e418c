using System.Net;
using McpApi.Auth;

namespace McpApi.Dispatching;

/// <summary>Who is calling and through which door; for logs, trace ids, rate limits and authorization.</summary>
/// <param name="Door">http, mcp, ws, sse, tcp, stdio.</param>
/// <param name="TraceId">Returned in error envelopes so a failure can be found in the logs.</param>
public sealed record CallContext(string Door, string TraceId)
{
    /// <summary>The authenticated caller, or null (anonymous, or authentication is off).</summary>
    public CallerIdentity? Identity { get; init; }

    /// <summary>Why a credential the caller sent was refused (wrong key, expired token), for the 401's message; never the secret.</summary>
    public string? CredentialProblem { get; init; }

    /// <summary>The client's IP address; null for a door without one (stdio, in-process calls).</summary>
    public IPAddress? ClientAddress { get; init; }
}
