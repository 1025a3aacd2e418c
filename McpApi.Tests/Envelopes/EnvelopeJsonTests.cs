using System.Buffers;
using System.Text;
using System.Text.Json;
using McpApi.Envelopes;
using Shouldly;

namespace McpApi.Tests.Envelopes;

public class EnvelopeJsonTests
{
    public static TheoryData<string> Responses() => [.. Samples.Keys];

    private static readonly Dictionary<string, EnvelopeResponse> Samples = new()
    {
        ["null data"] = new(EnvelopeResponse.Success, "done", null),
        ["a record"] = new(EnvelopeResponse.Success, "MCP request processed successfully",
            new McpApi.Models.Echo.EchoModel.EchoData(JsonElement.Parse("""{"model":"echo","data":"Hello, <world> & \"you\" ü"}"""))),
        ["an error with field errors and extra facts"] = new(EnvelopeResponse.Error, "Bad 'data'.", new ErrorDetails
        {
            Code = "invalid_data",
            TraceId = "0HN:1",
            Errors = new Dictionary<string, string[]> { ["data.key"] = ["Required."] },
            Extra = new() { ["models"] = new[] { "echo", "notes" }, ["retryAfter"] = 3 },
        }),
        ["a string"] = new(EnvelopeResponse.Success, "line\nbreak", "text"),
        ["a timestamp"] = new(EnvelopeResponse.Success, "at", new { At = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.FromHours(1)) }),
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void WriteResponseWritesWhatTheSerializerWritesForTheEnvelope(string sample)
    {
        var response = Samples[sample];
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = EnvelopeJson.Options.Encoder });
        EnvelopeJson.WriteResponse(writer, response); // not disposed: it flushes what it wrote itself

        Encoding.UTF8.GetString(buffer.WrittenSpan).ShouldBe(JsonSerializer.Serialize(response, EnvelopeJson.Response));
    }
}
