using McpApi.Envelopes;
using McpApi.Storage;

namespace McpApi.Dispatching;

/// <summary>The status code and envelope a door sends back.</summary>
public readonly record struct DispatchResult(int StatusCode, McpResponse Response)
{
    public bool IsSuccess => StatusCode < 400;
}

/// <summary>
/// The one router behind every door: finds the model and action, validates <c>data</c>,
/// runs the handler and maps every failure to an error envelope.
/// </summary>
public sealed partial class Dispatcher(ModelRegistry registry, ILogger<Dispatcher> logger)
{
    public ModelRegistry Registry => registry;

    public async ValueTask<DispatchResult> DispatchAsync(Envelope envelope, CallContext caller, CancellationToken cancellationToken)
    {
        try
        {
            var action = Resolve(envelope);
            var result = await action.Action.InvokeAsync(action, envelope, caller, cancellationToken);
            return new DispatchResult(StatusCodes.Status200OK, new McpResponse(McpResponse.Success, result.Message, result.Data));
        }
        catch (RequestError error)
        {
            return Failure(error, caller.TraceId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (StorageUnavailableException ex)
        {
            LogStorageUnavailable(logger, ex, envelope.Model, envelope.Action, caller.Door, caller.TraceId);
            return new DispatchResult(StatusCodes.Status503ServiceUnavailable, new McpResponse(McpResponse.Error,
                $"{ex.Message} The server is running but cannot use its database right now; quote trace id {caller.TraceId} when reporting it.",
                new ErrorDetails { Code = ErrorCodes.StorageUnavailable, TraceId = caller.TraceId }));
        }
        catch (Exception ex)
        {
            LogHandlerFailed(logger, ex, envelope.Model, envelope.Action, caller.Door, caller.TraceId);
            return InternalError(caller.TraceId);
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

        if (envelope.Action is null)
            return model.Default;

        if (model.TryGetAction(envelope.Action, out var action))
            return action;

        var actions = model.Actions.Select(a => a.Name).ToArray();
        throw new RequestError(StatusCodes.Status404NotFound, ErrorCodes.UnknownAction,
            $"Model '{model.Name}' has no action '{envelope.Action}'. Its actions: {string.Join(", ", actions)} (default: {model.Default.Name}).")
        {
            Extra = new() { ["model"] = model.Name, ["actions"] = actions },
        };
    }

    public static DispatchResult Failure(RequestError error, string traceId) =>
        new(error.StatusCode, new McpResponse(McpResponse.Error, error.Message,
            new ErrorDetails { Code = error.Code, TraceId = traceId, Errors = error.Errors, Extra = error.Extra }));

    public static DispatchResult InternalError(string traceId) =>
        new(StatusCodes.Status500InternalServerError, new McpResponse(McpResponse.Error,
            $"The server failed to process the request. It has been logged; quote trace id {traceId} when reporting it.",
            new ErrorDetails { Code = ErrorCodes.InternalError, TraceId = traceId }));

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage unavailable for {Model}/{Action} (door {Door}, trace {TraceId})")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, string model, string? action, string door, string traceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler {Model}/{Action} failed (door {Door}, trace {TraceId})")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string model, string? action, string door, string traceId);
}
