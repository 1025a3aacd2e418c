// RunSessionHandler is the SDK's (experimental) hook around a session; the session settings are marked obsolete only to
// steer new code towards the 2026-07-28 revision (see McpDoorSetup).
#pragma warning disable MCPEXP002, MCP9006

using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using McpApi.Doors.Http;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>The live MCP sessions of this process, by id (kept by the SDK's session hook), for the HTTP checks.</summary>
internal sealed class McpSessions
{
    private readonly ConcurrentDictionary<string, McpServer> _sessions = new(StringComparer.Ordinal);

    /// <summary>Raised when a session ends (after the SDK's session run returns).</summary>
    public event Action<McpServer>? Ended;

    /// <summary>Wraps the SDK's session hook so each session is known from its start to its end.</summary>
    public void Track(HttpServerTransportOptions transport)
    {
        var inner = transport.RunSessionHandler;
        transport.RunSessionHandler = async (http, server, cancellationToken) =>
        {
            if (server.SessionId is { } id)
                _sessions[id] = server;
            try
            {
                await (inner is null ? server.RunAsync(cancellationToken) : inner(http, server, cancellationToken));
            }
            finally
            {
                if (server.SessionId is { } ended)
                    _sessions.TryRemove(ended, out _);
                Ended?.Invoke(server);
            }
        };
    }

    public bool TryGet(string id, out McpServer server) => _sessions.TryGetValue(id, out server!);
}

/// <summary>
/// McpApi's answers on <c>/mcp</c> where the SDK 2.4's differ from the protocol, applied before the SDK sees the request:
/// malformed JSON and lone surrogate escapes are <c>-32700</c>; a batch (an array) is a clear <c>-32600</c> (batching left
/// MCP with 2025-06-18), and so is a property named twice; an <c>initialize</c> with invalid params is <c>-32602</c> and
/// starts no session (the SDK answers 500); see <see cref="McpBodyCheck"/>. <c>GET</c>
/// without a session is 405
/// (browsers get the guide before this: <see cref="McpEndpointSelector"/>); <c>DELETE</c> without a session header is 400
/// and of an unknown session 404. An <c>MCP-Protocol-Version</c> header naming an unsupported revision is 400 with <c>-32022</c> listing what
/// <c>server/discover</c> lists; one naming another supported revision than the session's gets the SDK's JSON-RPC -32600
/// in a 200 answer, because the conformance suite 0.1.16 (server-sse-multiple-streams) sends 2025-03-26 on a 2025-11-25
/// session and expects 200. A session request's POST also ends when the request is cancelled (<see cref="McpCancelledRequests"/>).
/// </summary>
internal static class McpHttpChecks
{
    /// <summary>
    /// Bodies up to this size are checked where Kestrel buffered them: well under its request buffer (1 MB by default,
    /// <c>MaxRequestBufferSize</c>), which a body must fit in whole while it is read without being consumed.
    /// </summary>
    private const long PeekLimit = 16 * 1024;

    /// <summary>The checks around the SDK's GET and DELETE endpoints (POST: <see cref="McpPostPass"/>).</summary>
    public static RequestDelegate Around(RequestDelegate next) => async http =>
    {
        var services = http.RequestServices;
        var stateless = services.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value.SessionMode == HttpServerSessionMode.Stateless;
        // GET and DELETE carry no request id to track (only a POST's does).
        var (proceed, _, _) = await CheckAsync(http, stateless, services.GetRequiredService<McpSessions>());
        if (proceed)
            await next(http);
    };

    /// <summary>
    /// Answers what McpApi answers before the SDK (false when it has). A POST's request id comes back when it runs in a
    /// live session, for <see cref="McpCancelledRequests"/> to track.
    /// </summary>
    public static async ValueTask<(bool Proceed, string SessionId, string? RequestId)> CheckAsync(HttpContext http, bool stateless, McpSessions sessions)
    {
        var request = http.Request;
        var sessionId = request.Headers["Mcp-Session-Id"].ToString();
        McpServer? session = null;
        if (sessionId.Length > 0 && !stateless)
            sessions.TryGet(sessionId, out session);

        if (HttpMethods.IsGet(request.Method) && sessionId.Length == 0)
        {
            http.Response.Headers.Allow = stateless ? "POST" : "POST, DELETE";
            await WriteAsync(http, StatusCodes.Status405MethodNotAllowed, McpErrorCode.InvalidRequest, default,
                "GET /mcp opens a session's server-to-client stream: send initialize by POST first, then GET with its Mcp-Session-Id header.");
            return (false, sessionId, null);
        }

        if (HttpMethods.IsDelete(request.Method) && !stateless)
        {
            if (sessionId.Length == 0)
            {
                await WriteAsync(http, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, default,
                    "DELETE /mcp ends a session: send its id in the Mcp-Session-Id header.");
                return (false, sessionId, null);
            }
            if (session is null)
            {
                await WriteAsync(http, StatusCodes.Status404NotFound, McpErrorCode.InvalidRequest, default,
                    $"There is no session '{Shorten(sessionId)}' (it ended, expired or never existed).");
                return (false, sessionId, null);
            }
        }

        if (HttpMethods.IsPost(request.Method))
        {
            var (proceed, requestId) = await CheckBodyAsync(http);
            return (proceed, sessionId, session is not null ? requestId : null);
        }
        return (true, sessionId, null);
    }

    /// <summary>
    /// Reads the (size-checked) body, answers what the SDK would answer wrongly, rewinds it; false when answered. The id of
    /// a request (a message with a method and an id) comes back for <see cref="McpCancelledRequests"/>.
    /// </summary>
    private static async ValueTask<(bool Proceed, string? RequestId)> CheckBodyAsync(HttpContext http)
    {
        var request = http.Request;
        var version = request.Headers["MCP-Protocol-Version"].ToString();
        // On a revision without initialize (2026-07-28) the SDK answers initialize as a removed method (404, -32601).
        var checkInitialize = !McpRevisions.IsPerRequest(version);
        McpBodyProblem? problem;
        RequestId id;
        string? requestId;
        if (PreReadRequestBody.Of(request) is { } preRead)
        {
            // The endpoint selector's copy, already behind request.Body.
            problem = McpBodyCheck.Inspect(preRead.Bytes, checkInitialize, out id, out requestId);
        }
        else if (request.ContentLength is { } length and <= PeekLimit)
        {
            // The usual case: the whole body sits in Kestrel's request buffer. It is checked there and left unconsumed, so the
            // SDK reads the very same bytes (no copy, no stream in its place).
            var reader = request.BodyReader;
            var result = await reader.ReadAtLeastAsync((int)length, http.RequestAborted);
            var buffer = result.Buffer;
            try
            {
                var bytes = buffer.Length > length ? buffer.Slice(0, length) : buffer;
                problem = McpBodyCheck.Inspect(bytes.IsSingleSegment ? bytes.First : bytes.ToArray(), checkInitialize, out id, out requestId);
            }
            finally
            {
                reader.AdvanceTo(buffer.Start);
            }
        }
        else if (request.ContentLength is { } announced)
        {
            // A large body (McpRequestLimit has checked the length): read exactly the announced body once.
            var bytes = await PreReadRequestBody.ReadAnnouncedAsync(request, announced, http.RequestAborted);
            problem = McpBodyCheck.Inspect(bytes, checkInitialize, out id, out requestId);
        }
        else
        {
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, http.RequestAborted);
            var bytes = PreReadRequestBody.Install(request, copy.ToArray(), (int)copy.Length);
            problem = McpBodyCheck.Inspect(bytes, checkInitialize, out id, out requestId);
        }

        if (problem is not null)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, problem.Code, problem.Id, problem.Message);
            return (false, null);
        }
        if (version.Length > 0 && !McpRevisions.IsSupported(version))
        {
            await WriteUnsupportedVersionAsync(http, id, version);
            return (false, null);
        }
        return (true, requestId);
    }

    /// <summary>
    /// 400 with <c>-32022</c>: <c>data.supported</c> lists what <c>server/discover</c> lists (the revisions served per
    /// request), as the 2026-07-28 revision asks; the message also names the revisions that start with <c>initialize</c>.
    /// (The SDK 2.4 lists every revision in the error but only the per-request ones in <c>server/discover</c>.)
    /// </summary>
    private static Task WriteUnsupportedVersionAsync(HttpContext http, RequestId id, string requested)
    {
        var perRequest = McpRevisions.PerRequest;
        var initialize = McpRevisions.WithInitialize;
        var message = $"The MCP-Protocol-Version header value '{Shorten(requested)}' is not supported. Send one of {string.Join(", ", perRequest)} "
            + $"with each request (per-request _meta), or start a session with initialize for {string.Join(", ", initialize)}.";
        return WriteAsync(http, StatusCodes.Status400BadRequest, McpErrorCode.UnsupportedProtocolVersion, id, message,
            JsonSerializer.SerializeToElement(new UnsupportedProtocolVersionErrorData { Supported = [.. perRequest], Requested = requested }, RelaxedOptions));
    }

    internal static Task WriteAsync(HttpContext http, int statusCode, McpErrorCode code, RequestId id, string message, JsonElement? data = null)
    {
        http.Response.StatusCode = statusCode;
        var error = new JsonRpcError
        {
            Id = id,
            Error = new JsonRpcErrorDetail { Code = (int)code, Message = message, Data = data },
        };
        return http.Response.WriteAsJsonAsync<JsonRpcMessage>(error, RelaxedOptions, "application/json; charset=utf-8");
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    private static readonly JsonSerializerOptions RelaxedOptions = new(McpJsonUtilities.DefaultOptions)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
