using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using McpApi.Doors.Http;
using McpApi.Hosting;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Mcp;

/// <summary>Marks the SDK's Streamable HTTP endpoints on <c>/mcp</c>.</summary>
public sealed class McpEndpointMetadata;

/// <summary>
/// <c>GET /mcp</c> is MCP's stream for MCP clients (session header or <c>text/event-stream</c>), the envelope's guide otherwise.
/// <c>POST /mcp</c> carries two protocols. When both the envelope endpoint and the MCP endpoint match, this keeps one:
/// MCP when the request has an <c>Mcp-Session-Id</c> header, or its Accept header lists <c>text/event-stream</c>
/// (every MCP client sends it; curl's <c>*/*</c> does not count), or its JSON body is an object with <c>"jsonrpc"</c>;
/// the envelope otherwise, so non-envelope JSON from curl still gets a 400 error envelope.
/// The body is read only when the headers do not decide, and is rewound for the endpoint.
/// Routing asks it twice over: while walking its tree (<see cref="INodeBuilderPolicy"/>), where the headers or a body
/// already in the request's pipe decide at once and leave routing one endpoint (no candidate set, nothing asynchronous);
/// and, only for a body still on its way, as an <see cref="IEndpointSelectorPolicy"/> that waits for it.
/// </summary>
internal sealed class McpEndpointSelector(IOptions<McpApiOptions> options) : MatcherPolicy, INodeBuilderPolicy, IEndpointSelectorPolicy
{
    /// <summary>
    /// After routing's HTTP-method policy (-1000): the node it applies to holds one method's endpoints. Before its
    /// content-type policy (-100), which the MCP endpoint's accepted types bring in: an envelope then reaches a node where
    /// no endpoint declares a content type, and routing does not compare media types for it (the endpoint answers 415).
    /// </summary>
    public override int Order => -200;

    internal enum Choice { Envelope, Mcp, Undecided }

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(IsEnvelope) && endpoints.Any(IsMcp);

    private static bool IsEnvelope(Endpoint endpoint) => endpoint.Metadata.GetMetadata<EnvelopeEndpointMetadata>() is not null;

    private static bool IsMcp(Endpoint endpoint) => endpoint.Metadata.GetMetadata<McpEndpointMetadata>() is not null;

    public IReadOnlyList<PolicyNodeEdge> GetEdges(IReadOnlyList<Endpoint> endpoints) =>
    [
        new(Choice.Envelope, endpoints.Where(e => !IsMcp(e)).ToArray()),
        new(Choice.Mcp, endpoints.Where(e => !IsEnvelope(e)).ToArray()),
        // Both stay: this policy, as the endpoint selector, waits for the body there.
        new(Choice.Undecided, endpoints.ToArray()),
    ];

    public PolicyJumpTable BuildJumpTable(int exitDestination, IReadOnlyList<PolicyJumpTableEdge> edges)
    {
        int To(Choice choice)
        {
            foreach (var edge in edges)
            {
                if (edge.State is Choice state && state == choice)
                    return edge.Destination;
            }
            return exitDestination;
        }
        return new JumpTable(this, To(Choice.Envelope), To(Choice.Mcp), To(Choice.Undecided));
    }

    private sealed class JumpTable(McpEndpointSelector selector, int envelope, int mcp, int undecided) : PolicyJumpTable
    {
        public override int GetDestination(HttpContext httpContext) => selector.Choose(httpContext.Request) switch
        {
            Choice.Envelope => envelope,
            Choice.Mcp => mcp,
            _ => undecided,
        };
    }

    /// <summary>The choice that needs no waiting: by headers, by method, or by a body that has all arrived.</summary>
    internal Choice Choose(HttpRequest request)
    {
        if (IsMcpByHeaders(request))
            return Choice.Mcp;
        if (!HttpMethods.IsPost(request.Method))
            return Choice.Envelope;
        return TryDecideFromBufferedBody(request, options.Value.MaxRequestBytes) switch
        {
            true => Choice.Mcp,
            false => Choice.Envelope,
            null => Choice.Undecided,
        };
    }

    public Task ApplyAsync(HttpContext http, CandidateSet candidates)
    {
        int envelope = -1, mcp = -1;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
                continue;
            if (IsEnvelope(candidates[i].Endpoint))
                envelope = i;
            else if (IsMcp(candidates[i].Endpoint))
                mcp = i;
        }
        if (envelope < 0 || mcp < 0)
            return Task.CompletedTask;

        switch (Choose(http.Request))
        {
            case Choice.Mcp:
                candidates.SetValidity(envelope, false);
                return Task.CompletedTask;
            case Choice.Envelope:
                candidates.SetValidity(mcp, false);
                return Task.CompletedTask;
            default:
                return ApplyAfterReadingAsync(http.Request, candidates, envelope, mcp);
        }
    }

    private async Task ApplyAfterReadingAsync(HttpRequest request, CandidateSet candidates, int envelope, int mcp)
    {
        var isMcp = await HasJsonRpcBodyAsync(request, options.Value.MaxRequestBytes);
        candidates.SetValidity(isMcp ? envelope : mcp, false);
    }

    /// <summary>
    /// Whether a small body with an announced length is JSON-RPC, when all of it is already in the request's pipe
    /// (as <see cref="PeekHasJsonRpcAsync"/> decides it); null when it has not all arrived or is not such a body.
    /// </summary>
    private static bool? TryDecideFromBufferedBody(HttpRequest request, long limit)
    {
        if (request.ContentLength is not { } length || length is 0 || length > limit || length > PeekLimit)
            return null;
        var reader = request.BodyReader;
        ReadResult result;
        try
        {
            if (!reader.TryRead(out result))
                return null;
        }
        catch (BadHttpRequestException)
        {
            return false; // unreadable body: the envelope endpoint reports it
        }
        if (result.Buffer.Length < length && !result.IsCompleted && !result.IsCanceled)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End); // nothing consumed: the asynchronous path waits for the rest
            return null;
        }
        return Decide(request, reader, result.Buffer, length);
    }

    internal static bool IsMcpByHeaders(HttpRequest request)
    {
        if (request.Headers.ContainsKey("Mcp-Session-Id"))
            return true;
        foreach (var value in request.Headers.Accept)
        {
            if (value is not null && ListsEventStream(value))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Whether an Accept header value lists <c>text/event-stream</c> (any parameters, any case). Read in place: this runs
    /// for every request on <c>POST /mcp</c>, where splitting and parsing the header cost an array, strings and
    /// <c>MediaTypeHeaderValue</c>s per request.
    /// </summary>
    internal static bool ListsEventStream(ReadOnlySpan<char> accept)
    {
        foreach (var range in accept.Split(','))
        {
            var media = accept[range];
            var parameters = media.IndexOf(';');
            if (parameters >= 0)
                media = media[..parameters];
            if (media.Trim(" \t").Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>True when the body is a JSON object with a top-level <c>jsonrpc</c> property. Leaves the body rewound.</summary>
    internal static async Task<bool> HasJsonRpcBodyAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength is 0 || request.ContentLength > limit)
            return false;
        if (request.ContentLength is { } length)
        {
            // The usual case, a small body: decide from the bytes in the request's pipe and consume none of them when it
            // is an envelope, so the envelope endpoint reads the body as if nobody had looked (no copy, stream or feature).
            if (length <= PeekLimit)
                return await PeekHasJsonRpcAsync(request, length);
            // A large body: read exactly the announced body once and hand the endpoint an in-memory copy.
            ReadOnlyMemory<byte> body;
            try
            {
                body = await PreReadRequestBody.ReadAnnouncedAsync(request, length, request.HttpContext.RequestAborted);
            }
            catch (BadHttpRequestException)
            {
                return false; // unreadable body: the envelope endpoint reports it
            }
            return HasJsonRpcProperty(body.Span);
        }

        request.EnableBuffering();
        var buffer = new MemoryStream();
        try
        {
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                    return false; // too large: the envelope endpoint answers 413
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException)
        {
            return false;
        }
        finally
        {
            request.Body.Position = 0;
        }
        return HasJsonRpcProperty(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Bodies up to this size are looked at in the request's pipe, well below the bytes a server buffers unread.</summary>
    private const long PeekLimit = 64 * 1024;

    /// <summary>
    /// Waits until the request's pipe holds the whole body (<paramref name="length"/> bytes) and looks at it. An envelope
    /// stays unconsumed, for the envelope endpoint to read; JSON-RPC is consumed into a copy the MCP door reuses.
    /// </summary>
    private static async ValueTask<bool> PeekHasJsonRpcAsync(HttpRequest request, long length)
    {
        var reader = request.BodyReader;
        ReadResult result;
        try
        {
            // As McpHttpChecks peeks at an MCP body: the pipe's own wait for the whole body, nothing consumed meanwhile.
            result = await reader.ReadAtLeastAsync((int)length, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            return false; // unreadable body: the envelope endpoint reports it
        }
        return Decide(request, reader, result.Buffer, length);
    }

    /// <summary>Looks at the whole body in the pipe: an envelope stays unconsumed, JSON-RPC is consumed into a copy the MCP door reuses.</summary>
    private static bool Decide(HttpRequest request, PipeReader reader, ReadOnlySequence<byte> buffer, long length)
    {
        var body = buffer.Slice(0, Math.Min(buffer.Length, length));
        if (!HasJsonRpcProperty(body))
        {
            reader.AdvanceTo(buffer.Start);
            return false;
        }
        var bytes = body.ToArray();
        reader.AdvanceTo(body.End);
        PreReadRequestBody.Install(request, bytes, bytes.Length);
        return true;
    }

    internal static bool HasJsonRpcProperty(ReadOnlySequence<byte> json) =>
        json.IsSingleSegment ? HasJsonRpcProperty(json.FirstSpan) : HasJsonRpcProperty(new Utf8JsonReader(json, ReaderOptions));

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    /// <summary>
    /// A body without the bytes <c>jsonrpc</c> and without an escape (<c>\u006a...</c> could spell it) has no such
    /// property: one vectorized search decides most envelopes without reading them as JSON.
    /// </summary>
    internal static bool HasJsonRpcProperty(ReadOnlySpan<byte> json) =>
        (json.IndexOf("jsonrpc"u8) >= 0 || json.IndexOf((byte)'\\') >= 0) && HasJsonRpcProperty(new Utf8JsonReader(json, ReaderOptions));

    private static bool HasJsonRpcProperty(Utf8JsonReader reader)
    {
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("jsonrpc"u8))
                    return true;
                reader.Read();
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a property name with a lone surrogate: the envelope endpoint answers the error.
        }
        return false;
    }
}
