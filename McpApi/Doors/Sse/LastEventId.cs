using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using McpApi.Dispatching;
using McpApi.Doors.Realtime;

namespace McpApi.Doors.Sse;

/// <summary>
/// The SSE <c>id</c> is the cursor of every topic seen so far: <c>chat:lobby=12,chat:dev=7</c>. A reconnecting client
/// sends it back as <c>Last-Event-ID</c>; a plain number (<c>12</c>) applies to every requested topic.
/// </summary>
internal static class LastEventId
{
    public static string Format(IDictionary<string, long> cursors)
    {
        var text = new ArrayBufferWriter<byte>();
        Write(text, cursors as SortedList<string, long> ?? new SortedList<string, long>(cursors, StringComparer.Ordinal));
        return Encoding.UTF8.GetString(text.WrittenSpan);
    }

    /// <summary>Writes the id of <paramref name="cursors"/> (ordered by topic, ordinal) as UTF-8, without building a string.</summary>
    public static void Write(IBufferWriter<byte> output, SortedList<string, long> cursors)
    {
        var topics = cursors.Keys;
        var values = cursors.Values;
        for (var i = 0; i < topics.Count; i++)
        {
            if (i > 0)
                output.Write(","u8);
            var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(topics[i].Length) + 1 + 20);
            var length = Encoding.UTF8.GetBytes(topics[i], span);
            span[length++] = (byte)'=';
            Utf8Formatter.TryFormat(values[i], span[length..], out var digits);
            output.Advance(length + digits);
        }
    }

    public static Dictionary<string, long> Parse(string? header, IReadOnlyCollection<string> topics)
    {
        var cursors = new Dictionary<string, long>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header))
            return cursors;
        header = header.Trim();
        if (long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var all))
        {
            foreach (var topic in topics)
                cursors[topic] = all;
            return cursors;
        }
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.LastIndexOf('=');
            if (equals <= 0 || !long.TryParse(part.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var cursor))
                throw RequestError.BadRequest(RealtimeErrorCodes.InvalidLastEventId,
                    $"Last-Event-ID '{header}' is not understood. Send back the id of the last event received (e.g. 'chat:lobby=12'), or a message id such as '12'.");
            var topic = part[..equals];
            if (topics.Contains(topic))
                cursors[topic] = cursor;
        }
        return cursors;
    }
}
