using System.Globalization;
using McpApi.Dispatching;
using McpApi.Doors.Realtime;

namespace McpApi.Doors.Sse;

/// <summary>
/// The SSE <c>id</c> is the cursor of every topic seen so far: <c>chat:lobby=12,chat:dev=7</c>. A reconnecting client
/// sends it back as <c>Last-Event-ID</c>; a plain number (<c>12</c>) applies to every requested topic.
/// </summary>
internal static class LastEventId
{
    public static string Format(Dictionary<string, long> cursors) =>
        string.Join(',', cursors.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value.ToString(CultureInfo.InvariantCulture)}"));

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
