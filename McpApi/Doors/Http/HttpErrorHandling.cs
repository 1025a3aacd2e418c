using McpApi.Dispatching;
using Microsoft.AspNetCore.Diagnostics;

namespace McpApi.Doors.Http;

/// <summary>
/// The HTTP pipeline's one place that turns failures outside the dispatcher — unexpected exceptions,
/// framework rejections, unknown routes — into error envelopes. No framework error page is ever sent.
/// </summary>
internal sealed partial class EnvelopeExceptionHandler(ILogger<EnvelopeExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception switch
        {
            RequestError error => Dispatcher.Failure(error, http.TraceIdentifier),
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                Dispatcher.Failure(RequestError.TooLarge(ErrorCodes.PayloadTooLarge, "The request body is too large."), http.TraceIdentifier),
            BadHttpRequestException bad => Dispatcher.Failure(
                new RequestError(bad.StatusCode, ErrorCodes.InvalidEnvelope, $"The request could not be read: {bad.Message}"), http.TraceIdentifier),
            _ => Unexpected(http, exception),
        };
        await new EnvelopeResult(result).ExecuteAsync(http);
        return true;
    }

    private DispatchResult Unexpected(HttpContext http, Exception exception)
    {
        LogUnhandled(logger, exception, http.Request.Method, http.Request.Path, http.TraceIdentifier);
        return Dispatcher.InternalError(http.TraceIdentifier);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path} (trace {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string traceId);
}

internal static class StatusCodeEnvelopes
{
    /// <summary>Bodiless 4xx/5xx answers from routing (404, 405, ...) get an error envelope instead.</summary>
    public static Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var (code, message) = status switch
        {
            StatusCodes.Status404NotFound => (ErrorCodes.NotFound,
                $"No endpoint at {http.Request.Method} {http.Request.Path}. Send envelopes to POST /mcp; see /swagger for every endpoint."),
            StatusCodes.Status405MethodNotAllowed => (ErrorCodes.MethodNotAllowed,
                $"{http.Request.Method} is not allowed on {http.Request.Path}. See /swagger for the methods it takes."),
            StatusCodes.Status415UnsupportedMediaType => (ErrorCodes.UnsupportedMediaType,
                $"Content-Type '{http.Request.ContentType ?? "(none)"}' is not supported. Send JSON with 'Content-Type: application/json' (curl: -H 'Content-Type: application/json')."),
            _ => ("http_" + status, $"The request failed with HTTP status {status}."),
        };
        return new EnvelopeResult(Dispatcher.Failure(new RequestError(status, code, message), http.TraceIdentifier)).ExecuteAsync(http);
    }
}
