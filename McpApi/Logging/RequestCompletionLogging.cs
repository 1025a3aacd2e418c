using System.Diagnostics;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using Serilog.Events;
using Serilog.Parsing;

namespace McpApi.Logging;

/// <summary>
/// One structured event per HTTP request: method, path, status, elapsed, model and action.
/// Leaner than Serilog's own request logging: no AsyncLocal diagnostic context, a pre-parsed template,
/// nothing computed when the level is off. Payloads are never logged.
/// </summary>
internal sealed class RequestCompletionLogging(RequestDelegate next, Serilog.ILogger logger)
{
    private static readonly LogEventProperty SourceContext =
        new(Serilog.Core.Constants.SourceContextPropertyName, new ScalarValue(typeof(RequestCompletionLogging).FullName));

    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        "HTTP {RequestMethod} {RequestPath} {Model}/{Action} responded {StatusCode} in {Elapsed:0.000} ms");

    private static readonly ScalarValue None = new("-");

    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            await next(http);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            var status = failure is null ? http.Response.StatusCode : StatusAfter(http, failure);
            var level = status >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
            if (logger.IsEnabled(level))
                Write(http, level, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds, status >= 500 ? failure : null);
        }
    }

    /// <summary>The status the exception handler further out answers for <paramref name="failure"/>.</summary>
    private static int StatusAfter(HttpContext http, Exception failure) => failure switch
    {
        // The client went away: nobody gets an answer, and the server did nothing wrong (ASP.NET Core's 499).
        OperationCanceledException or IOException when http.RequestAborted.IsCancellationRequested => StatusCodes.Status499ClientClosedRequest,
        RequestError error => error.StatusCode,
        BadHttpRequestException bad => bad.StatusCode,
        _ => StatusCodes.Status500InternalServerError,
    };

    private void Write(HttpContext http, LogEventLevel level, int status, double elapsedMs, Exception? failure)
    {
        var items = http.Items;
        var model = items.TryGetValue(EnvelopeEndpoints.ModelItem, out var m) && m is string modelName ? new ScalarValue(modelName) : None;
        var action = items.TryGetValue(EnvelopeEndpoints.ActionItem, out var a) && a is string actionName ? new ScalarValue(actionName) : None;
        var properties = new LogEventProperty[]
        {
            new("RequestMethod", new ScalarValue(http.Request.Method)),
            new("RequestPath", new ScalarValue(http.Request.Path.Value)),
            new("Model", model),
            new("Action", action),
            new("StatusCode", new ScalarValue(status)),
            new("Elapsed", new ScalarValue(elapsedMs)),
            new("TraceId", new ScalarValue(http.TraceIdentifier)),
            SourceContext,
        };
        logger.Write(new LogEvent(DateTimeOffset.UtcNow, level, failure, Template, properties));
    }
}
