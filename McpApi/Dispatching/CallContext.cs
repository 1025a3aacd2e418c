namespace McpApi.Dispatching;

/// <summary>Who is calling and through which door; for logs, trace ids and (later) authorization.</summary>
/// <param name="Door">http, mcp, ws, sse, tcp, stdio.</param>
/// <param name="TraceId">Returned in error envelopes so a failure can be found in the logs.</param>
public sealed record CallContext(string Door, string TraceId);
