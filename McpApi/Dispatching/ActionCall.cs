using McpApi.Envelopes;

namespace McpApi.Dispatching;

/// <summary>What a handler receives: the typed context and data, the envelope as sent and the door it came through.</summary>
public sealed record ActionCall<TContext, TData>(Envelope Envelope, string Action, CallContext Caller, TContext Context, TData Data);

/// <summary>A successful answer: the envelope's <c>message</c> and <c>data</c>.</summary>
public sealed record ModelResult(string Message, object? Data);

/// <summary>A handler's successful answer: the envelope's <c>message</c> and its typed <c>data</c>.</summary>
public sealed record ModelResult<TResult>(string Message, TResult Data);
