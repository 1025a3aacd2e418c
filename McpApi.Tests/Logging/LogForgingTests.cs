using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace McpApi.Tests.Logging;

/// <summary>Values from requests cannot forge log lines: control characters are escaped before any format writes them.</summary>
public sealed class LogForgingTests : IDisposable
{
    private const string FakeLine = "\r\n[21:05:00 INF] HTTP POST /mcp notes/delete responded 200\0";

    private readonly LogCollector _log = new();
    private readonly McpApiApplication _app;

    public LogForgingTests() =>
        _app = new McpApiApplication { Configure = services => services.AddSingleton<ILogEventSink>(_log) };

    public void Dispose() => _app.Dispose();

    public static TheoryData<string> Formats() => ["text", "compact"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task AModelNameWithCrLfAndNulIsOneEscapedLineInTheLog(string format)
    {
        var model = "x" + FakeLine;
        var reply = await _app.CreateClient().PostEnvelopeAsync(new { model, data = 1 });
        reply.Code.ShouldBe("unknown_model");

        var logged = await _log.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal)
            && e.Properties["Model"].ToString().Contains("21:05:00"), TimeSpan.FromSeconds(10), "for the request");
        var written = Format(logged, format);

        written.TrimEnd('\n').ShouldNotContain('\n');
        written.ShouldNotContain('\r');
        written.ShouldNotContain('\0');
        written.ShouldContain("x\\\\r\\\\n[21:05:00 INF]".Replace("\\\\", format == "text" ? "\\" : "\\\\"));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task APathWithEncodedCrLfIsOneEscapedLineInTheLog(string format)
    {
        using var response = await _app.CreateClient().GetAsync("/nothing%0D%0A%5B21:05:00%20INF%5D%20fake%07here");

        var logged = await _log.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal)
            && e.Properties["RequestPath"].ToString().Contains("fake"), TimeSpan.FromSeconds(10), "for the request");
        var written = Format(logged, format);

        written.TrimEnd('\n').ShouldNotContain('\n');
        written.ShouldNotContain('\r');
        written.ShouldNotContain('\a');
    }

    private static string Format(LogEvent logEvent, string format)
    {
        ITextFormatter formatter = format == "text"
            ? new MessageTemplateTextFormatter("[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            : new CompactJsonFormatter();
        using var writer = new StringWriter();
        formatter.Format(logEvent, writer);
        return writer.ToString().Replace(Environment.NewLine, "\n");
    }
}
