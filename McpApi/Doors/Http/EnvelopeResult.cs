using System.Buffers;
using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Limits;

namespace McpApi.Doors.Http;

/// <summary>
/// Writes a response envelope with its status code: serialized synchronously into the thread's reusable buffer (no async
/// serializer state machine on the hot path), then started with its Content-Length and copied into the response's
/// <see cref="HttpResponse.BodyWriter"/> (Kestrel sends it when the request ends). Envelopes are small (bodies are capped
/// by McpApi:MaxRequestBytes and model limits), so holding them whole is safe.
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
        var body = t_body ??= new ArrayBufferWriter<byte>(InitialBodyBytes);
        var writer = t_writer ??= new Utf8JsonWriter(body, WriterOptions);
        body.ResetWrittenCount();
        writer.Reset(body);
        try
        {
            EnvelopeJson.WriteResponse(writer, result.Response);
        }
        finally
        {
            writer.Reset();
            // Serialized whole: nothing reads the request's JSON after this. Disposed here rather than registered with the
            // response, which cost every envelope an on-completed callback list and its run.
            result.Dispose();
        }
        if (body.Capacity > KeptBodyBytes)
            t_body = null; // a rare large answer does not stay on the thread

        if (response.HasStarted)
            return response.BodyWriter.WriteAsync(body.WrittenMemory).AsTask();
        // Sent with its length, the answer goes out as one plain body rather than chunked. The response is started first,
        // so the body is written after its headers: written before them, Kestrel keeps it in blocks of its own and copies
        // it behind the headers when the request ends.
        response.ContentLength = body.WrittenCount;
        var started = response.StartAsync();
        if (!started.IsCompletedSuccessfully)
            return WriteAfterAsync(started, response, body.WrittenSpan.ToArray()); // the thread's buffer serves its next answer
        response.BodyWriter.Write(body.WrittenSpan);
        return Task.CompletedTask;
    }

    private static async Task WriteAfterAsync(Task started, HttpResponse response, byte[] body)
    {
        await started;
        await response.BodyWriter.WriteAsync(body);
    }

    private const int InitialBodyBytes = 4096;

    private const int KeptBodyBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_body;
}
