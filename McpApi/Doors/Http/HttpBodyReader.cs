using System.Buffers;
using System.IO.Pipelines;
using McpApi.Dispatching;

namespace McpApi.Doors.Http;

/// <summary>Checks the Content-Type and reads a JSON request body up to the configured limit.</summary>
internal static class HttpBodyReader
{
    public static void EnsureJson(HttpRequest request)
    {
        if (request.ContentType is { } contentType && IsJson(contentType))
            return;

        throw new RequestError(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
            $"Content-Type '{request.ContentType ?? "(none)"}' is not supported. Send the envelope as JSON with 'Content-Type: application/json' (curl: -H 'Content-Type: application/json').");
    }

    /// <summary>
    /// Whether a Content-Type value is JSON: <c>application/json</c> or a <c>+json</c> type, any case, any parameters.
    /// Read in place (parsing it as a <c>MediaTypeHeaderValue</c> cost an object and strings per envelope).
    /// </summary>
    internal static bool IsJson(ReadOnlySpan<char> contentType)
    {
        var parameters = contentType.IndexOf(';');
        var media = (parameters >= 0 ? contentType[..parameters] : contentType).Trim(" \t");
        var slash = media.IndexOf('/');
        if (slash <= 0 || slash == media.Length - 1 || media.IndexOfAny(" \t,\"") >= 0 || media[(slash + 1)..].Contains('/'))
            return false;
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads the whole body; throws 413 as soon as it passes <paramref name="limit"/> bytes.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
            throw TooLarge(limit);
        if (PreReadRequestBody.Of(request) is { } preRead)
            return preRead.Bytes;

        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.Buffer.Length > limit)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                throw TooLarge(limit);
            }
            if (read.IsCompleted || read.IsCanceled)
            {
                var bytes = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return bytes;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static RequestError TooLarge(long limit) =>
        RequestError.TooLarge(ErrorCodes.PayloadTooLarge,
            $"The request body is larger than the {limit} byte limit (setting McpApi:MaxRequestBytes). Send less data per envelope.");
}

/// <summary>
/// A request body some earlier step (the <c>/mcp</c> endpoint selector) already read whole, put in the body's place, so
/// the envelope endpoint parses those bytes instead of reading the body a second time. Found as the request's body
/// stream itself: a request feature would cost every envelope a lookup in the server's feature collection.
/// </summary>
internal sealed class PreReadRequestBody : MemoryStream
{
    private PreReadRequestBody(byte[] bytes, int length)
        : base(bytes, 0, length, writable: false) => Bytes = bytes.AsMemory(0, length);

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The pre-read body, while it is still the request's body stream.</summary>
    public static PreReadRequestBody? Of(HttpRequest request) => request.Body as PreReadRequestBody;

    /// <summary>Puts the first <paramref name="length"/> bytes, read from the body, in its place.</summary>
    public static ReadOnlyMemory<byte> Install(HttpRequest request, byte[] bytes, int length)
    {
        var body = new PreReadRequestBody(bytes, length);
        request.Body = body;
        return body.Bytes;
    }

    /// <summary>Reads exactly the announced body (<paramref name="length"/> bytes, or fewer if it ends early) once and installs it.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>> ReadAnnouncedAsync(HttpRequest request, long length, CancellationToken cancellationToken)
    {
        var bytes = new byte[length];
        var read = await request.Body.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, cancellationToken);
        return Install(request, bytes, read);
    }
}
