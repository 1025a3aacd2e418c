using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpApi.Dispatching;

/// <summary>
/// Reads integers the way JSON Schema counts them: <c>2</c>, <c>2.0</c> and <c>2e0</c> are all the integer 2.
/// A number that is not whole or does not fit is a <see cref="NotAnIntegerException"/> naming the allowed range.
/// </summary>
internal static class WholeNumberConverter
{
    public sealed class Int64 : JsonConverter<long>
    {
        public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            (long)ReadWhole(ref reader, long.MinValue, long.MaxValue);

        public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    public sealed class Int32 : JsonConverter<int>
    {
        public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            (int)ReadWhole(ref reader, int.MinValue, int.MaxValue);

        public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    private static decimal ReadWhole(ref Utf8JsonReader reader, long min, long max)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var whole) && whole >= min && whole <= max)
                return whole;
            if (reader.TryGetDecimal(out var number) && number == decimal.Truncate(number) && number >= min && number <= max)
                return number;
        }
        var raw = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray());
        throw new NotAnIntegerException($"{Shorten(raw)} is not an integer from {min} to {max}; send a smaller whole number.");
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

/// <summary>A JSON number where the contract has an integer it does not fit.</summary>
internal sealed class NotAnIntegerException(string message) : JsonException(message);
