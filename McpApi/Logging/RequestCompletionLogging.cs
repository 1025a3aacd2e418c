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
internal sealed class RequestCompletionLogging(RequestDelegate next, Serilog.ILogger logger, DirectRequestLog? direct = null)
{
    /// <summary>
    /// The logger for this source context: it adds <c>SourceContext</c> and takes its level from
    /// <c>Serilog:MinimumLevel:Override:McpApi.Logging.RequestCompletionLogging</c> (<c>Warning</c> turns the request log off).
    /// </summary>
    private readonly Serilog.ILogger _logger = logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, typeof(RequestCompletionLogging).FullName);

    /// <remarks>Elapsed in the standard format <c>F3</c>: a custom format such as <c>0.000</c> is parsed on every render.</remarks>
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        "HTTP {RequestMethod} {RequestPath} {Model}/{Action} responded {StatusCode} in {Elapsed:F3} ms");

    private static readonly ScalarValue None = new("-");

    private static readonly ScalarValue NoPath = new(null);

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
            if (_logger.IsEnabled(level))
            {
                var elapsedMicroseconds = Stopwatch.GetElapsedTime(started).Ticks / TimeSpan.TicksPerMicrosecond;
                var logged = status >= 500 ? failure : null;
                if (logged is null && direct is { IsOn: true })
                    direct.Write(Line(http, level, status, elapsedMicroseconds));
                else
                    Write(http, level, status, RequestLine.Milliseconds(elapsedMicroseconds), logged);
            }
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

    private static RequestLine Line(HttpContext http, LogEventLevel level, int status, long elapsedMicroseconds)
    {
        var names = http.Features.Get<EnvelopeNames>();
        return new RequestLine(DateTimeOffset.UtcNow, level, http.Request.Method, http.Request.Path.Value, names?.Model, names?.Action, status, elapsedMicroseconds);
    }

    private void Write(HttpContext http, LogEventLevel level, int status, double elapsedMs, Exception? failure)
    {
        var names = http.Features.Get<EnvelopeNames>();
        var model = names?.Model is { } modelName ? Values.Of(modelName) : None;
        var action = names?.Action is { } actionName ? Values.Of(actionName) : None;
        // Handed to the event as it is (no copy), sized for its properties and the few an enricher may add.
        var properties = new Dictionary<string, LogEventPropertyValue>(PropertyCapacity)
        {
            ["RequestMethod"] = Values.Of(http.Request.Method),
            ["RequestPath"] = http.Request.Path.Value is { } path ? Values.Of(path) : NoPath,
            ["Model"] = model,
            ["Action"] = action,
            ["StatusCode"] = StatusValue(status),
            ["Elapsed"] = new ScalarValue(elapsedMs),
            ["TraceId"] = new ScalarValue(http.TraceIdentifier),
        };
        _logger.Write(LogEvent.UnstableAssembleFromParts(DateTimeOffset.UtcNow, level, failure, Template, properties, default, default));
    }

    private const int PropertyCapacity = 10;

    /// <summary>The pre-parsed request template, so a formatter can tell the request event from others.</summary>
    internal static MessageTemplate RequestTemplate => Template;

    private static readonly ScalarValue?[] StatusValues = new ScalarValue?[600];

    private static ScalarValue StatusValue(int status) =>
        (uint)status < (uint)StatusValues.Length ? StatusValues[status] ??= new ScalarValue(status) : new ScalarValue(status);

    /// <summary>
    /// The values requests repeat (methods, paths, model and action names) as shared property values. Bounded: once full,
    /// or for long values, a new value per event, so input that varies (unknown models, paths) cannot grow it.
    /// </summary>
    private static class Values
    {
        private const int MaxEntries = 1024;
        private const int MaxLength = 128;
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ScalarValue> Cache = new(StringComparer.Ordinal);
        private static int s_entries; // counted here: ConcurrentDictionary.Count takes every lock

        public static ScalarValue Of(string value)
        {
            if (Cache.TryGetValue(value, out var cached))
                return cached;
            var created = new ScalarValue(value);
            if (value.Length <= MaxLength && Volatile.Read(ref s_entries) < MaxEntries && Cache.TryAdd(value, created))
                Interlocked.Increment(ref s_entries);
            return created;
        }
    }
}
