using McpApi.BrowserAccess;
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
        SecurityHeaders.Restore(http.Response);
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

/// <summary>
/// Bodiless 4xx/5xx answers from routing (404, 405, ...) get an error envelope instead: what ASP.NET Core's
/// <c>UseStatusCodePages</c> does, without its per-request feature and <c>HttpContext.Items</c> dictionary (~400 B on
/// every request, most of which never fail).
/// </summary>
internal static class StatusCodeEnvelopes
{
    public static Task Middleware(HttpContext http, RequestDelegate next)
    {
        var task = next(http);
        return task.IsCompletedSuccessfully ? WriteIfBodiless(http) : AfterAsync(task, http);
    }

    private static async Task AfterAsync(Task task, HttpContext http)
    {
        await task;
        await WriteIfBodiless(http);
    }

    private static Task WriteIfBodiless(HttpContext http)
    {
        var response = http.Response;
        if (response.StatusCode is < 400 or >= 600 || response.HasStarted || response.ContentLength.HasValue || !string.IsNullOrEmpty(response.ContentType))
            return Task.CompletedTask;
        return WriteAsync(http);
    }

    private static Task WriteAsync(HttpContext http)
    {
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
