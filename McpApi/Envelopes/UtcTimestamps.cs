using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpApi.Envelopes;

/// <summary>
/// Every timestamp McpApi writes has one form: UTC with milliseconds, <c>2026-11-25T08:42:39.123Z</c>
/// (stored times, event times, replayed event times alike).
/// </summary>
public static class UtcTimestamps
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>A <see cref="DateTime"/> of unspecified kind is taken as UTC (the storage layer's times are).</summary>
    public static string ToText(DateTime value) =>
        (value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).ToString(Format, CultureInfo.InvariantCulture);

    internal sealed class DateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTime();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
        {
            // Formatted into a stack buffer as UTF-8: no string per timestamp (a chat history page writes 50).
            Span<byte> text = stackalloc byte[32];
            var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
            if (utc.TryFormat(text, out var written, Format, CultureInfo.InvariantCulture))
                writer.WriteStringValue(text[..written]);
            else
                writer.WriteStringValue(ToText(value));
        }
    }

    internal sealed class DateTimeOffsetConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        {
            Span<byte> text = stackalloc byte[32];
            if (value.UtcDateTime.TryFormat(text, out var written, Format, CultureInfo.InvariantCulture))
                writer.WriteStringValue(text[..written]);
            else
                writer.WriteStringValue(ToText(value));
        }
    }
}
