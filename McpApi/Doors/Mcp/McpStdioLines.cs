using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Stdin for the stdio door, one JSON-RPC message per line, so no line goes unanswered (the SDK 2.4 drops a line it
/// cannot read, and a client waiting for its answer hangs): a batch (a JSON array) is passed on as its messages, one per
/// line, each answered on its own; a line that is not JSON, or not an object, becomes a request for
/// <see cref="InvalidMessageMethod"/>, which <see cref="Filter"/> answers with -32700 or -32600 under the line's id when
/// one can be read from it.
/// </summary>
internal sealed partial class McpStdioLines(Stream stdin) : Stream
{
    /// <summary>The method of the request standing for an unreadable line; only this class writes it.</summary>
    public const string InvalidMessageMethod = "mcpapi/invalid_message";

    private readonly MemoryStream _line = new();
    private readonly byte[] _chunk = new byte[16 * 1024];
    private byte[] _pending = [];
    private int _pendingOffset;
    private bool _ended;

    /// <summary>Answers the stand-in requests with the JSON-RPC error they carry.</summary>
    public static McpMessageFilter Filter { get; } = next => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest { Method: InvalidMessageMethod } request)
        {
            var code = request.Params?["code"]?.GetValue<int>() ?? (int)McpErrorCode.InvalidRequest;
            throw new McpProtocolException(request.Params?["message"]?.GetValue<string>() ?? "Invalid message.", (McpErrorCode)code);
        }
        return next(context, cancellationToken);
    };

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pendingOffset >= _pending.Length)
        {
            if (_ended)
                return 0;
            var read = await stdin.ReadAsync(_chunk, cancellationToken);
            var output = new MemoryStream();
            if (read == 0)
            {
                _ended = true;
                if (_line.Length > 0)
                    Transform(_line.ToArray(), output);
                _line.SetLength(0);
            }
            else
            {
                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (_chunk[i] != (byte)'\n')
                        continue;
                    _line.Write(_chunk, start, i - start);
                    Transform(_line.ToArray(), output);
                    _line.SetLength(0);
                    start = i + 1;
                }
                _line.Write(_chunk, start, read - start);
            }
            _pending = output.ToArray();
            _pendingOffset = 0;
        }
        var count = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsMemory(_pendingOffset, count).CopyTo(buffer);
        _pendingOffset += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <summary>Writes the line as the SDK should see it: unchanged, split (a batch), or as a stand-in request.</summary>
    internal static void Transform(byte[] line, Stream output)
    {
        ReadOnlySpan<byte> text = line.AsSpan().TrimEnd((byte)'\r');
        if (text.Trim(" \t"u8).IsEmpty)
        {
            output.Write(line);
            output.WriteByte((byte)'\n');
            return;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            WriteStandIn(output, IdOf(Encoding.UTF8.GetString(text)), McpErrorCode.ParseError,
                $"The line is not valid JSON: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]} Send one JSON-RPC message per line.");
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                output.Write(text);
                output.WriteByte((byte)'\n');
            }
            else if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                // A batch (MCP 2025-03-26): each message is handled and answered on its own.
                foreach (var message in root.EnumerateArray())
                {
                    if (message.ValueKind == JsonValueKind.Object)
                    {
                        output.Write(Encoding.UTF8.GetBytes(message.GetRawText()));
                        output.WriteByte((byte)'\n');
                    }
                    else
                    {
                        WriteStandIn(output, null, McpErrorCode.InvalidRequest, "A batch item is not a JSON-RPC message (an object).");
                    }
                }
            }
            else
            {
                WriteStandIn(output, null, McpErrorCode.InvalidRequest, "A JSON-RPC message is a JSON object; send one per line.");
            }
        }
    }

    private static int _standIns;

    private static void WriteStandIn(Stream output, string? id, McpErrorCode code, string message)
    {
        id ??= JsonSerializer.Serialize($"mcpapi-invalid-{Interlocked.Increment(ref _standIns)}");
        var json = $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"{{{InvalidMessageMethod}}}","params":{"code":{{{(int)code}}},"message":{{{JsonSerializer.Serialize(message)}}}}}""";
        output.Write(Encoding.UTF8.GetBytes(json));
        output.WriteByte((byte)'\n');
    }

    /// <summary>The <c>"id"</c> of a line that is not valid JSON, when it can still be read (so the waiting request gets its answer).</summary>
    private static string? IdOf(string line) => IdPattern().Match(line) is { Success: true } match ? match.Groups["id"].Value : null;

    [GeneratedRegex("""
        "id"\s*:\s*(?<id>"(?:[^"\\]|\\.)*"|-?\d{1,18})
        """)]
    private static partial Regex IdPattern();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            stdin.Dispose();
        base.Dispose(disposing);
    }
}
