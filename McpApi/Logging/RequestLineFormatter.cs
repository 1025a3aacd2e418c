using System.Buffers;
using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace McpApi.Logging;

/// <summary>
/// The default text layout (<see cref="BatchedConsoleSinkExtensions.DefaultOutputTemplate"/>) for the one event every
/// request writes, rendered straight from its pre-parsed template: the same characters Serilog's
/// <c>MessageTemplateTextFormatter</c> writes (tests compare them), without walking the output template, looking
/// properties up per token or allocating strings per value. It renders the request event and a <see cref="RequestLine"/>
/// (the request log without a Serilog event) alike. Any other event, or one this does not expect (an exception, a
/// replaced property), goes to Serilog's formatter.
/// </summary>
internal sealed class RequestLineFormatter(ITextFormatter serilog) : ITextFormatter
{
    private const int BufferChars = 512;

    private static readonly MessageTemplateToken[] Tokens = [.. RequestCompletionLogging.RequestTemplate.Tokens];

    /// <summary>The last second's <c>HH:mm:ss</c>: a batch of lines mostly shares it.</summary>
    private TimeText? _time;

    private sealed record TimeText(long Second, TimeSpan Offset, string Text);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        if (logEvent.Exception is not null || !ReferenceEquals(logEvent.MessageTemplate, RequestCompletionLogging.RequestTemplate)
            || !TryRender(new EventValues(logEvent), output))
            serilog.Format(logEvent, output);
    }

    /// <summary>Writes <paramref name="line"/> as Serilog writes the request event with the same values (escaped as <see cref="LogValueEscaping"/> does).</summary>
    public void Format(RequestLine line, TextWriter output)
    {
        if (!TryRender(new LineValues(line), output))
            throw new InvalidOperationException($"A request line at level {line.Level} cannot be written in the default layout.");
    }

    /// <summary>The request's values, from a Serilog event or a <see cref="RequestLine"/>.</summary>
    private interface IValues
    {
        DateTimeOffset Timestamp { get; }
        LogEventLevel Level { get; }
        bool TryAppend(ref Line line, string property, string? format);
    }

    private bool TryRender<TValues>(TValues values, TextWriter output) where TValues : IValues
    {
        if (LevelText(values.Level) is not { } level)
            return false;
        var time = Time(values.Timestamp);
        Span<char> stack = stackalloc char[BufferChars];
        char[]? rented = null;
        try
        {
            // A line longer than the stack buffer (a long path, escaped values) is rendered again into a larger one.
            for (var size = BufferChars; ; size *= 8)
            {
                var line = new Line(size == BufferChars ? stack : (rented = ArrayPool<char>.Shared.Rent(size)));
                line.Append('[');
                line.Append(time);
                line.Append(' ');
                line.Append(level);
                line.Append("] ");
                foreach (var token in Tokens)
                {
                    if (token is TextToken text)
                        line.Append(text.Text);
                    else if (token is not PropertyToken property || !values.TryAppend(ref line, property.PropertyName, property.Format))
                        return false;
                }
                line.Append(Environment.NewLine);
                if (!line.Overflowed)
                {
                    output.Write(line.Written);
                    return true;
                }
                if (rented is not null)
                    ArrayPool<char>.Shared.Return(rented);
                rented = null;
            }
        }
        finally
        {
            if (rented is not null)
                ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static string? LevelText(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "VRB",
        LogEventLevel.Debug => "DBG",
        LogEventLevel.Information => "INF",
        LogEventLevel.Warning => "WRN",
        LogEventLevel.Error => "ERR",
        LogEventLevel.Fatal => "FTL",
        _ => null,
    };

    /// <summary><c>{Timestamp:HH:mm:ss}</c> as Serilog renders it (current culture).</summary>
    private string Time(DateTimeOffset timestamp)
    {
        var second = timestamp.Ticks / TimeSpan.TicksPerSecond;
        if (_time is { } last && last.Second == second && last.Offset == timestamp.Offset)
            return last.Text;
        var text = timestamp.ToString("HH:mm:ss", CultureInfo.CurrentCulture);
        _time = new TimeText(second, timestamp.Offset, text);
        return text;
    }

    private readonly struct EventValues(LogEvent logEvent) : IValues
    {
        public DateTimeOffset Timestamp => logEvent.Timestamp;

        public LogEventLevel Level => logEvent.Level;

        /// <summary>A value as <c>{Message:lj}</c> renders it: strings as they are, numbers in the current culture.</summary>
        public bool TryAppend(ref Line line, string property, string? format) =>
            logEvent.Properties.TryGetValue(property, out var value) && value switch
            {
                ScalarValue { Value: string text } when format is null => line.Append(text),
                ScalarValue { Value: null } when format is null => line.Append("null"),
                ScalarValue { Value: int number } when format is null => line.Append(number, null, CultureInfo.InvariantCulture),
                ScalarValue { Value: double number } when format is not null => line.Append(number, format, CultureInfo.CurrentCulture),
                _ => false,
            };
    }

    private readonly struct LineValues(RequestLine request) : IValues
    {
        public DateTimeOffset Timestamp => request.Timestamp;

        public LogEventLevel Level => request.Level;

        public bool TryAppend(ref Line line, string property, string? format) => property switch
        {
            "RequestMethod" when format is null => line.AppendEscaped(request.Method),
            "RequestPath" when format is null => request.Path is { } path ? line.AppendEscaped(path) : line.Append("null"),
            "Model" when format is null => line.AppendEscaped(request.Model ?? "-"),
            "Action" when format is null => line.AppendEscaped(request.Action ?? "-"),
            "StatusCode" when format is null => line.Append(request.StatusCode, null, CultureInfo.InvariantCulture),
            // F3 of whole microseconds in milliseconds, written as integers (double formatting was ~0.1 us per line).
            "Elapsed" when format == "F3" => line.AppendThousandths(request.ElapsedMicroseconds),
            "Elapsed" when format is not null => line.Append(RequestLine.Milliseconds(request.ElapsedMicroseconds), format, CultureInfo.CurrentCulture),
            _ => false,
        };
    }

    private ref struct Line(Span<char> buffer)
    {
        private readonly Span<char> _buffer = buffer;
        private int _length;

        public bool Overflowed { get; private set; }

        public readonly ReadOnlySpan<char> Written => _buffer[.._length];

        public void Append(char c)
        {
            if (_length < _buffer.Length)
                _buffer[_length++] = c;
            else
                Overflowed = true;
        }

        public bool Append(ReadOnlySpan<char> text)
        {
            if (text.TryCopyTo(_buffer[_length..]))
                _length += text.Length;
            else
                Overflowed = true;
            return true;
        }

        /// <summary>A value from the request, escaped as <see cref="LogValueEscaping"/> escapes event values.</summary>
        public bool AppendEscaped(string text) =>
            Append(LogValueEscaping.NeedsEscaping(text) ? LogValueEscaping.Escape(text) : text);

        /// <summary><paramref name="thousandths"/> / 1000 with three decimals, as <c>F3</c> writes it in the current culture.</summary>
        public bool AppendThousandths(long thousandths)
        {
            Append(thousandths / 1000, null, CultureInfo.InvariantCulture);
            Append(NumberFormatInfo.CurrentInfo.NumberDecimalSeparator);
            return Append((int)(thousandths % 1000), "D3", CultureInfo.InvariantCulture);
        }

        public bool Append<T>(T value, string? format, IFormatProvider provider) where T : ISpanFormattable
        {
            if (value.TryFormat(_buffer[_length..], out var written, format, provider))
                _length += written;
            else
                Overflowed = true;
            return true;
        }
    }
}
