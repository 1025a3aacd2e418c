using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Limits;

namespace McpApi.Doors.Http;

/// <summary>
/// Writes a response envelope with its status code, serializing synchronously straight into the response's
/// <see cref="HttpResponse.BodyWriter"/> (Kestrel sends it when the request ends): no intermediate buffer and
/// no async serializer state machine on the hot path. Envelopes are small (bodies are capped by McpApi:MaxRequestBytes
/// and model limits), so writing them whole to the pipe is safe.
/// Executing it disposes the result once the answer is written (the answer may point into the request's parsed JSON);
/// one that is never executed can be disposed instead.
/// </summary>
public sealed class EnvelopeResult(DispatchResult result) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<EnvelopeResponse>, IContentTypeHttpResult, IDisposable
{
    public const string JsonContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = EnvelopeJson.Options.Encoder,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public int? StatusCode => result.StatusCode;

    public void Dispose() => result.Dispose();

    public EnvelopeResponse Value => result.Response;

    object? IValueHttpResult.Value => result.Response;

    public string ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = result.StatusCode;
        response.ContentType = JsonContentType;
        if (result.StatusCode == StatusCodes.Status503ServiceUnavailable)
            response.Headers.RetryAfter = "1";
        else if (result.Response.Data is ErrorDetails { Extra: { } extra } && extra.TryGetValue(CallerRateLimiter.RetryAfterKey, out var wait) && wait is int seconds)
            response.Headers.RetryAfter = CallerRateLimiter.Format(seconds);
        var writer = t_writer ??= new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.Reset(response.BodyWriter);
        try
        {
            EnvelopeJson.WriteResponse(writer, result.Response);
            // The whole answer waits in the response's buffer until the request ends: sent with its length, it goes out as
            // one plain body rather than chunked (no chunk framing to write, nor for the client to parse).
            if (!response.HasStarted)
                response.ContentLength = writer.BytesCommitted;
        }
        finally
        {
            writer.Reset();
            // Written whole into the response's buffer: nothing reads the request's JSON after this. Disposed here rather
            // than registered with the response, which cost every envelope an on-completed callback list and its run.
            result.Dispose();
        }
        return Task.CompletedTask;
    }
}
