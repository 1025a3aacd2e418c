using System.Text.Json.Nodes;
using McpApi.Envelopes;

namespace McpApi.Dispatching;

public delegate ValueTask<ModelResult> ModelActionHandler(ModelCall call, CancellationToken cancellationToken);

/// <summary>
/// One operation of a model, described once: this declaration drives validation, <c>GET /mcp/models</c>,
/// the Swagger examples and (later) the MCP tool list.
/// </summary>
/// <param name="Name">The <c>action</c> value (snake_case).</param>
/// <param name="Description">What the action does, for humans and AI clients.</param>
/// <param name="DataSchema">JSON Schema (draft 2020-12) of the envelope's <c>data</c>.</param>
/// <param name="Handle">The code that runs it.</param>
public sealed record ModelAction(string Name, string Description, string DataSchema, ModelActionHandler Handle)
{
    /// <summary>An example <c>data</c> value that passes <see cref="DataSchema"/>.</summary>
    public JsonNode? ExampleData { get; init; }

    /// <summary>An example <c>context</c> value.</summary>
    public JsonNode? ExampleContext { get; init; }

    /// <summary>The action only reads (safe to retry, no side effects).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The action may remove or overwrite stored data.</summary>
    public bool Destructive { get; init; }

    /// <summary>Repeating the same call has no further effect.</summary>
    public bool Idempotent { get; init; }

    /// <summary>Builds the example envelope for this action of <paramref name="model"/>.</summary>
    public JsonObject ExampleEnvelope(string model)
    {
        var envelope = new JsonObject { ["model"] = model, ["action"] = Name };
        if (ExampleContext is not null)
            envelope["context"] = ExampleContext.DeepClone();
        if (ExampleData is not null)
            envelope["data"] = ExampleData.DeepClone();
        return envelope;
    }
}

/// <summary>What a handler receives: the envelope, its typed context and the door it came through.</summary>
public sealed record ModelCall(Envelope Envelope, string Action, CallContext Caller)
{
    public EnvelopeContext Context => Envelope.Context;

    public System.Text.Json.JsonElement Data => Envelope.Data;
}

/// <summary>Who is calling and through which door; for logs, trace ids and (later) authorization.</summary>
/// <param name="Door">http, mcp, ws, sse, tcp, stdio.</param>
/// <param name="TraceId">Returned in error envelopes so a failure can be found in the logs.</param>
public sealed record CallContext(string Door, string TraceId);

/// <summary>A successful answer: the envelope's <c>message</c> and <c>data</c>.</summary>
public sealed record ModelResult(string Message, object? Data);
