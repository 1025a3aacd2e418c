using System.Buffers;
using System.Text;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Rewrites the JSON the MCP SDK writes (it escapes every quote, <c>&lt;</c>, <c>&amp;</c>, <c>'</c>, <c>+</c> and non-ASCII letter
/// as <c>\uXXXX</c>) into relaxed escaping: <c>\u0022</c> becomes <c>\"</c>, other printable characters are written as
/// themselves. Control characters, lone surrogates, U+2028/U+2029 and noncharacters stay escaped, so the output is the same
/// JSON value, still valid, and the SSE framing (line breaks) is untouched. Works on any chunking of the input.
/// </summary>
internal sealed class RelaxedJsonEscapingStream(Stream inner) : Stream
{
    // An escape cut off at the end of a write waits here for the next one: at most "\uD83D\uDE0" (11 bytes).
    private readonly byte[] _pending = new byte[12];
    private int _pendingLength;

    // One output buffer for the stream's life, rented from the pool and returned on dispose: a write's bytes are handed on
    // before the next write starts, and a write's output is never longer than its input (relaxing only shortens escapes),
    // so the buffer is sized once per write instead of growing (a stream is made per response: that growth was garbage).
    private byte[] _output = [];
    private int _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Rewrite(buffer);
        inner.Write(_output.AsSpan(0, _written));
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Rewrite(buffer.Span);
        return inner.WriteAsync(_output.AsMemory(0, _written), cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _pendingLength > 0)
        {
            inner.Write(_pending.AsSpan(0, _pendingLength));
            _pendingLength = 0;
        }
        if (disposing)
            ReturnOutput();
        base.Dispose(disposing);
    }

    private void ReturnOutput()
    {
        if (_output.Length > 0)
            ArrayPool<byte>.Shared.Return(_output);
        _output = [];
    }

    public override async ValueTask DisposeAsync()
    {
        if (_pendingLength > 0)
        {
            await inner.WriteAsync(_pending.AsMemory(0, _pendingLength));
            _pendingLength = 0;
        }
        await base.DisposeAsync();
    }

    private void Rewrite(ReadOnlySpan<byte> input)
    {
        _written = 0;
        if (_output.Length < _pendingLength + input.Length)
        {
            ReturnOutput();
            _output = ArrayPool<byte>.Shared.Rent(Math.Max(_pendingLength + input.Length, 4096));
        }
        if (_pendingLength > 0)
        {
            // Finish the cut-off escape with the first bytes of this write (on the stack: at most 11 + 12 bytes);
            // the rest of the write follows on its own.
            Span<byte> head = stackalloc byte[24];
            var pending = _pendingLength;
            var take = Math.Min(input.Length, 12);
            _pending.AsSpan(0, pending).CopyTo(head);
            input[..take].CopyTo(head[pending..]);
            head = head[..(pending + take)];
            _pendingLength = 0;
            var at = 0;
            while (at < pending)
            {
                if (head[at] != (byte)'\\')
                {
                    Put(head.Slice(at++, 1));
                    continue;
                }
                var used = RewriteEscape(head[at..]);
                if (used == 0)
                {
                    // Still cut off, so this whole (short) write is in head: it waits for the next one.
                    head[at..].CopyTo(_pending);
                    _pendingLength = head.Length - at;
                    return;
                }
                at += used;
            }
            input = input[(at - pending)..];
        }
        var i = 0;
        while (i < input.Length)
        {
            var backslash = input[i..].IndexOf((byte)'\\');
            if (backslash < 0)
            {
                Put(input[i..]);
                return;
            }
            Put(input.Slice(i, backslash));
            i += backslash;
            var consumed = RewriteEscape(input[i..]);
            if (consumed == 0)
            {
                input[i..].CopyTo(_pending);
                _pendingLength = input.Length - i;
                return;
            }
            i += consumed;
        }
    }

    /// <summary>Writes the escape at the start of <paramref name="input"/>; returns the bytes it took, or 0 when it is cut off.</summary>
    private int RewriteEscape(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
            return 0;
        if (input[1] != (byte)'u')
        {
            Put(input[..2]); // \" \\ \n ... stay as they are
            return 2;
        }
        if (input.Length < 6)
            return 0;
        if (!TryHex(input.Slice(2, 4), out var code))
        {
            Put(input[..2]);
            return 2;
        }
        if (char.IsHighSurrogate((char)code))
        {
            if (input.Length < 12 && (input.Length < 7 || input[6] == (byte)'\\') && (input.Length < 8 || input[7] == (byte)'u'))
                return 0; // the low half may follow in the next write
            if (input.Length >= 12 && input[6] == (byte)'\\' && input[7] == (byte)'u' && TryHex(input.Slice(8, 4), out var low)
                && char.IsLowSurrogate((char)low))
            {
                WriteUtf8(char.ConvertToUtf32((char)code, (char)low));
                return 12;
            }
            Put(input[..6]);
            return 6;
        }
        if (code == '"')
            Put("\\\""u8);
        else if (code == '\\' || !WrittenAsItself(code))
            Put(input[..6]);
        else
            WriteUtf8(code);
        return 6;
    }

    private static bool WrittenAsItself(int code) =>
        code is >= 0x20 and < 0x7F
        || (code >= 0xA0 && !char.IsSurrogate((char)code) && code is not (0x2028 or 0x2029) && code is < 0xFDD0 or > 0xFDEF && code is not (0xFFFE or 0xFFFF));

    private static bool TryHex(ReadOnlySpan<byte> hex, out int value)
    {
        value = 0;
        foreach (var digit in hex)
        {
            var nibble = digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0)
                return false;
            value = (value << 4) | nibble;
        }
        return true;
    }

    private void WriteUtf8(int codePoint) => _written += new Rune(codePoint).EncodeToUtf8(_output.AsSpan(_written));

    private void Put(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output.AsSpan(_written));
        _written += bytes.Length;
    }
}
