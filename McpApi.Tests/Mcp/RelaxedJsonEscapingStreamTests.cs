using System.Text;
using System.Text.Json;
using McpApi.Doors.Mcp;

namespace McpApi.Tests.Mcp;

/// <summary>The rewrite of the SDK's strict JSON escaping into relaxed escaping, on its own and cut at every byte.</summary>
public sealed class RelaxedJsonEscapingStreamTests
{
    private static readonly string[] Values =
    [
        "she said \"hi\"",
        "<b>&amp;</b> it's 1+1 `x`",
        "back\\slash and a literal \\u0022 that is text",
        "é ü 中文 😀 done",
        "line\nbreak\ttab\u0001 and \u2028 separator",
    ];

    [Fact]
    public void QuotesAndPrintableCharactersAreWrittenRelaxedAndTheJsonValueIsUnchanged()
    {
        foreach (var value in Values)
        {
            var strict = JsonSerializer.Serialize(new { text = value });
            var relaxed = Rewrite(Encoding.UTF8.GetBytes(strict), chunk: int.MaxValue);

            if (!value.Contains("\\u"))
                relaxed.ShouldNotContain("\\u0022");
            relaxed.ShouldNotContain("\\u003C");
            relaxed.ShouldNotContain("\\u0027");
            JsonDocument.Parse(relaxed).RootElement.GetProperty("text").GetString().ShouldBe(value, relaxed);
        }
        Rewrite(Encoding.UTF8.GetBytes(JsonSerializer.Serialize("a\"b")), int.MaxValue).ShouldBe("\"a\\\"b\"");
        Rewrite(Encoding.UTF8.GetBytes(JsonSerializer.Serialize("😀")), int.MaxValue).ShouldBe("\"😀\"");
    }

    [Fact]
    public void ControlCharactersLineSeparatorsAndLoneSurrogatesStayEscaped()
    {
        var relaxed = Rewrite(Encoding.UTF8.GetBytes(JsonSerializer.Serialize("\u0001\u2028\n")), int.MaxValue);
        var loneSurrogate = Rewrite("\"\\uD800x\\uDC00\""u8.ToArray(), int.MaxValue);

        relaxed.ShouldBe("\"\\u0001\\u2028\\n\"");
        loneSurrogate.ShouldBe("\"\\uD800x\\uDC00\"");
    }

    [Fact]
    public void AnyCutOfTheInputGivesTheSameOutput()
    {
        var strict = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Values));
        var whole = Rewrite(strict, int.MaxValue);

        for (var chunk = 1; chunk <= 13; chunk++)
            Rewrite(strict, chunk).ShouldBe(whole, $"written {chunk} byte(s) at a time");

        // Lone and paired surrogates, a high one followed by another escape, cut anywhere.
        var surrogates = "\"\\uD800x\\uDC00\\uD83D\\uDE00\\uD83D\\\"\\uD83D\\u0041\""u8.ToArray();
        var expected = Rewrite(surrogates, int.MaxValue);
        expected.ShouldBe("\"\\uD800x\\uDC00😀\\uD83D\\\"\\uD83DA\"");
        for (var chunk = 1; chunk <= 13; chunk++)
            Rewrite(surrogates, chunk).ShouldBe(expected, $"written {chunk} byte(s) at a time");
    }

    [Fact]
    public void RewritingEscapesAllocatesNothingPerEscape()
    {
        // A tool result's text is JSON, so the SDK writes every quote in it as \u0022: thousands per large answer.
        var strict = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { text = string.Concat(Enumerable.Repeat("\"q\" <&> ", 2_000)) }));
        var target = new MemoryStream(strict.Length);
        using var stream = new RelaxedJsonEscapingStream(target);
        stream.Write(strict); // first use: JIT, buffers
        target.SetLength(0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        stream.Write(strict);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var escapes = strict.Count(b => b == (byte)'\\');
        escapes.ShouldBeGreaterThanOrEqualTo(10_000);
        allocated.ShouldBeLessThan(escapes, $"{allocated} bytes allocated to rewrite {escapes} escapes in {strict.Length} bytes");
    }

    [Fact]
    public void AStreamPerResponseTakesItsBufferFromThePoolInsteadOfGrowingOne()
    {
        // RelaxedJsonResponses makes one stream per response; tools/list answers ~40 KB, written in chunks.
        var answer = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { text = string.Concat(Enumerable.Repeat("\"schema\" ", 4_000)) }));
        var target = new MemoryStream(answer.Length);
        void Respond()
        {
            target.SetLength(0);
            using var stream = new RelaxedJsonEscapingStream(target);
            for (var offset = 0; offset < answer.Length; offset += 16 * 1024)
                stream.Write(answer, offset, Math.Min(16 * 1024, answer.Length - offset));
        }
        Respond(); // first use: JIT, the pool's buffers

        var before = GC.GetAllocatedBytesForCurrentThread();
        Respond();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        answer.Length.ShouldBeGreaterThan(40_000);
        allocated.ShouldBeLessThan(1_024, $"{allocated} bytes allocated by a stream that rewrote {answer.Length} bytes");
    }

    private static string Rewrite(byte[] input, int chunk)
    {
        var target = new MemoryStream();
        using (var stream = new RelaxedJsonEscapingStream(target))
        {
            for (var offset = 0; offset < input.Length; offset += chunk)
                stream.Write(input, offset, Math.Min(chunk, input.Length - offset));
        }
        return Encoding.UTF8.GetString(target.ToArray());
    }
}
