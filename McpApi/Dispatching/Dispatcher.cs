using System.Diagnostics;
using System.Text.Json;
using McpApi.Auth;
using McpApi.Envelopes;
using McpApi.Limits;
using Microsoft.Extensions.Options;
using McpApi.Metrics;
using McpApi.Storage;

namespace McpApi.Dispatching;

/// <summary>
/// The status code and envelope a door sends back, with the request's correlation <see cref="Id"/>. Dispose it once the reply is written: a result may point into the request's parsed JSON (echo does).
/// </summary>
public readonly record struct DispatchResult(int StatusCode, EnvelopeResponse Response) : IDisposable
{
    public bool IsSuccess => StatusCode < 400;

    /// <summary>The request's <c>id</c> when it had a valid one (WebSocket and TCP echo it back).</summary>
    public JsonElement? Id { get; init; }

    internal JsonDocument? Document { get; init; }

    public void Dispose() => Document?.Dispose();
}

/// <summary>Sees each envelope a door hands the dispatcher once it is parsed, before it runs.</summary>
public interface IEnvelopeObserver
{
    void Parsed(Envelope envelope);
}

/// <summary>
/// Answers envelopes a door handles itself (the WebSocket and TCP <c>subscribe</c> commands): a response, or null to
/// let the models answer. A <see cref="RequestError"/> it throws becomes an error envelope like any other.
/// </summary>
public delegate EnvelopeResponse? DoorCommand(Envelope envelope);

/// <summary>
/// The one router behind every door. Each door hands it the request as raw JSON (or, for MCP, the model and action a
/// tool names plus the call's context and data) and the caller; it parses, finds the model and action, reads the
/// context, charges the caller's rate limits, validates and binds the data, runs the handler and maps every failure to
/// an error envelope.
/// </summary>
public sealed partial class Dispatcher(ModelRegistry registry, CallerRateLimiter rateLimits, ILogger<Dispatcher> logger, IOptions<AuthOptions> auth)
{
    private readonly bool _credentialRequired = auth.Value.Required;

    public ModelRegistry Registry => registry;

    /// <summary>
    /// Dispatches one request given as UTF-8 JSON text (an HTTP body, a WebSocket message, a TCP line).
    /// <paramref name="parsed"/> sees the envelope before it runs (the HTTP door notes model and action for its request log).
    /// </summary>
    public async ValueTask<DispatchResult> DispatchAsync(
        ReadOnlyMemory<byte> utf8Json, CallContext caller, CancellationToken cancellationToken,
        DoorCommand? doorCommand = null, IEnvelopeObserver? parsed = null)
    {
        Envelope envelope;
        JsonDocument? document;
        try
        {
            envelope = EnvelopeParser.Parse(utf8Json, out document);
        }
        catch (RequestError error)
        {
            return Counted(Failure(error, caller.TraceId) with { Id = EnvelopeParser.TryReadId(utf8Json) }, caller);
        }
        try
        {
            parsed?.Parsed(envelope);
            return await RunAsync(envelope, caller, doorCommand, cancellationToken) with { Document = document };
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>Dispatches one request that is already a parsed JSON value.</summary>
    public ValueTask<DispatchResult> DispatchAsync(JsonElement request, CallContext caller, CancellationToken cancellationToken)
    {
        Envelope envelope;
        try
        {
            envelope = EnvelopeParser.Parse(request);
        }
        catch (RequestError error)
        {
            return ValueTask.FromResult(Counted(Failure(error, caller.TraceId), caller));
        }
        return RunAsync(envelope, caller, null, cancellationToken);
    }

    /// <summary>
    /// Dispatches a request a door addresses itself (an MCP tool, resource or prompt; an SSE replay): the
    /// <paramref name="context"/> and <paramref name="data"/> are checked as the envelope parser checks them
    /// (<see cref="JsonValueKind.Undefined"/>: absent).
    /// </summary>
    public ValueTask<DispatchResult> DispatchAsync(
        string model, string? action, JsonElement context, JsonElement data, CallContext caller, CancellationToken cancellationToken)
    {
        Envelope envelope;
        try
        {
            envelope = EnvelopeParser.FromParts(model, action, context, data);
        }
        catch (RequestError error)
        {
            return ValueTask.FromResult(Counted(Failure(error, caller.TraceId), caller));
        }
        return RunAsync(envelope, caller, null, cancellationToken);
    }

    /// <summary>Runs a parsed envelope and counts it (door, model, action, status, time) for <see cref="McpApiMetrics"/>.</summary>
    private async ValueTask<DispatchResult> RunAsync(Envelope envelope, CallContext caller, DoorCommand? doorCommand, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await HandleAsync(envelope, caller, doorCommand, cancellationToken);
        if (McpApiMetrics.RequestsObserved)
        {
            var (model, action) = MetricLabels(envelope, result, doorCommand is not null);
            McpApiMetrics.RequestCompleted(caller.Door, model, action, result.StatusCode, started);
        }
        return result;
    }

    /// <summary>The registered model and action names an envelope reaches, or <see cref="McpApiMetrics.Unknown"/> (never the raw input).</summary>
    private (string Model, string Action) MetricLabels(Envelope envelope, DispatchResult result, bool doorHasCommands)
    {
        if (!registry.TryGet(envelope.Model, out var model))
            // Not a model: a door's own command (subscribe) when the door took it (a bounded set of names), else unknown.
            return doorHasCommands && result.Response.Data is not ErrorDetails { Code: ErrorCodes.UnknownModel }
                ? (envelope.Model.ToLowerInvariant(), result.IsSuccess ? envelope.Action?.ToLowerInvariant() ?? "-" : McpApiMetrics.Unknown)
                : (McpApiMetrics.Unknown, McpApiMetrics.Unknown);
        return (model.Name, model.TryGetActionOrDefault(envelope.Action, out var action) ? action.Name : McpApiMetrics.Unknown);
    }

    private static DispatchResult Counted(DispatchResult result, CallContext caller)
    {
        McpApiMetrics.RequestCompleted(caller.Door, McpApiMetrics.Unknown, McpApiMetrics.Unknown, result.StatusCode, Stopwatch.GetTimestamp());
        return result;
    }

    private async ValueTask<DispatchResult> HandleAsync(Envelope envelope, CallContext caller, DoorCommand? doorCommand, CancellationToken cancellationToken)
    {
        var id = envelope.Id.ValueKind is JsonValueKind.Undefined ? (JsonElement?)null : envelope.Id;
        try
        {
            if (caller.Identity is null && _credentialRequired)
                throw Access.Unauthenticated(caller);
            if (doorCommand?.Invoke(envelope) is { } answer)
                return new DispatchResult(StatusCodes.Status200OK, answer) { Id = id };
            var action = Resolve(envelope);
            if (caller.Identity is { } identity)
                Access.RequireAction(identity, action);
            rateLimits.Admit(caller, action);
            var result = await action.Action.InvokeAsync(action, envelope, caller, cancellationToken);
            return new DispatchResult(StatusCodes.Status200OK, new EnvelopeResponse(EnvelopeResponse.Success, result.Message, result.Data))
            {
                Id = id,
            };
        }
        catch (RequestError error)
        {
            return Failure(error, caller.TraceId) with { Id = id };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (StorageUnavailableException ex)
        {
            LogStorageUnavailable(logger, ex, envelope.Model, envelope.Action, caller.Door, caller.TraceId);
            return new DispatchResult(StatusCodes.Status503ServiceUnavailable, new EnvelopeResponse(EnvelopeResponse.Error,
                $"{ex.Message} The server is running but cannot use its database right now; quote trace id {caller.TraceId} when reporting it.",
                new ErrorDetails { Code = ErrorCodes.StorageUnavailable, TraceId = caller.TraceId }))
            {
                Id = id,
            };
        }
        catch (Exception ex)
        {
            LogHandlerFailed(logger, ex, envelope.Model, envelope.Action, caller.Door, caller.TraceId);
            return InternalError(caller.TraceId) with { Id = id };
        }
    }

    /// <summary>Finds the action an envelope names, or throws the 404 that lists what exists.</summary>
    public RegisteredAction Resolve(Envelope envelope)
    {
        if (!registry.TryGet(envelope.Model, out var model))
            throw new RequestError(StatusCodes.Status404NotFound, ErrorCodes.UnknownModel,
                $"Unknown model '{envelope.Model}'. Known models: {string.Join(", ", registry.Names)}. GET /mcp/models describes them.")
            {
                Extra = new() { ["models"] = registry.Names },
            };

        if (model.TryGetActionOrDefault(envelope.Action, out var action))
            return action;

        var actions = model.Actions.Select(a => a.Name).ToArray();
        throw new RequestError(StatusCodes.Status404NotFound, ErrorCodes.UnknownAction,
            $"Model '{model.Name}' has no action '{envelope.Action}'. Its actions: {string.Join(", ", actions)} (default: {model.Default.Name}).")
        {
            Extra = new() { ["model"] = model.Name, ["actions"] = actions },
        };
    }

    public static DispatchResult Failure(RequestError error, string traceId) =>
        new(error.StatusCode, new EnvelopeResponse(EnvelopeResponse.Error, error.Message,
            new ErrorDetails { Code = error.Code, TraceId = traceId, Errors = error.Errors, Extra = error.Extra }));

    public static DispatchResult InternalError(string traceId) =>
        new(StatusCodes.Status500InternalServerError, new EnvelopeResponse(EnvelopeResponse.Error,
            $"The server failed to process the request. It has been logged; quote trace id {traceId} when reporting it.",
            new ErrorDetails { Code = ErrorCodes.InternalError, TraceId = traceId }));

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage unavailable for {Model}/{Action} (door {Door}, trace {TraceId})")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, string model, string? action, string door, string traceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler {Model}/{Action} failed (door {Door}, trace {TraceId})")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string model, string? action, string door, string traceId);
}
