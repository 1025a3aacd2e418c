using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace McpApi.Logging;

/// <summary>
/// The default text layout (<see cref="BatchedConsoleSinkExtensions.DefaultOutputTemplate"/>) for the one event every
/// request writes, rendered straight from its pre-parsed template into a stack buffer: the same characters Serilog's
/// <c>MessageTemplateTextFormatter</c> writes (a test compares them), without walking the output template, looking
/// properties up per token or allocating strings per value. Any other event, or one this does not expect (an exception,
/// a replaced property, a long value), goes to Serilog's formatter.
/// </summary>
internal sealed class RequestLineFormatter(ITextFormatter serilog) : ITextFormatter
{
    private const int BufferChars = 512;

    private static readonly MessageTemplateToken[] Tokens = [.. RequestCompletionLogging.RequestTemplate.Tokens];

    public void Format(LogEvent logEvent, TextWriter output)
    {
        if (logEvent.Exception is not null || !ReferenceEquals(logEvent.MessageTemplate, RequestCompletionLogging.RequestTemplate)
            || !TryRender(logEvent, output))
            serilog.Format(logEvent, output);
    }

    private static bool TryRender(LogEvent logEvent, TextWriter output)
    {
        var level = logEvent.Level switch
        {
            LogEventLevel.Information => "INF",
            LogEventLevel.Warning => "WRN",
            LogEventLevel.Error => "ERR",
            _ => null,
        };
        if (level is null)
            return false;
        Span<char> buffer = stackalloc char[BufferChars];
        var line = new Line(buffer);
        line.Append('[');
        if (!logEvent.Timestamp.TryFormat(line.Rest, out var written, "HH:mm:ss", CultureInfo.CurrentCulture))
            return false;
        line.Advance(written);
        line.Append(' ');
        line.Append(level);
        line.Append("] ");
        foreach (var token in Tokens)
        {
            if (token is TextToken text)
                line.Append(text.Text);
            else if (token is not PropertyToken property || !logEvent.Properties.TryGetValue(property.PropertyName, out var value)
                     || !TryAppend(ref line, value, property.Format))
                return false;
        }
        line.Append(Environment.NewLine);
        if (line.Overflowed)
            return false;
        output.Write(line.Written);
        return true;
    }

    /// <summary>A value as <c>{Message:lj}</c> renders it: strings as they are, numbers in the current culture.</summary>
    private static bool TryAppend(ref Line line, LogEventPropertyValue value, string? format)
    {
        int written;
        switch (value)
        {
            case ScalarValue { Value: string text } when format is null:
                line.Append(text);
                return true;
            case ScalarValue { Value: int number } when format is null:
                if (!number.TryFormat(line.Rest, out written, default, CultureInfo.InvariantCulture))
                    return false;
                break;
            case ScalarValue { Value: double number } when format is not null:
                if (!number.TryFormat(line.Rest, out written, format, CultureInfo.CurrentCulture))
                    return false;
                break;
            default:
                return false;
        }
        line.Advance(written);
        return true;
    }

    private ref struct Line(Span<char> buffer)
    {
        private readonly Span<char> _buffer = buffer;
        private int _length;

        public bool Overflowed { get; private set; }

        public readonly Span<char> Rest => _buffer[_length..];

        public readonly ReadOnlySpan<char> Written => _buffer[.._length];

        public void Advance(int count) => _length += count;

        public void Append(char c)
        {
            if (_length < _buffer.Length)
                _buffer[_length++] = c;
            else
                Overflowed = true;
        }

        public void Append(ReadOnlySpan<char> text)
        {
            if (text.TryCopyTo(Rest))
                _length += text.Length;
            else
                Overflowed = true;
        }
    }
}
