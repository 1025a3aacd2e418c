using System.Buffers;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Logging;

/// <summary>
/// Escapes control characters in every string a log event carries (a model name, a path, a header), so a value from a
/// request can never start a fake line in the text log or put a NUL into it: CR, LF, tab and NUL become <c>\r</c>,
/// <c>\n</c>, <c>\t</c>, <c>\0</c>; other control and line-separator characters become <c>\uXXXX</c>. It runs before
/// every sink, so the text and the JSON formats get the same escaped values.
/// </summary>
public sealed class LogValueEscaping : ILogEventEnricher
{
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007f', '\u0085', '\u2028', '\u2029']);

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? replaced = null;
        // Serilog keeps an event's properties in a Dictionary: enumerated as one, nothing is allocated per event.
        if (logEvent.Properties is Dictionary<string, LogEventPropertyValue> properties)
        {
            foreach (var (name, value) in properties)
            {
                if (Escape(value) is { } escaped)
                    (replaced ??= []).Add(new LogEventProperty(name, escaped));
            }
        }
        else
        {
            foreach (var (name, value) in logEvent.Properties)
            {
                if (Escape(value) is { } escaped)
                    (replaced ??= []).Add(new LogEventProperty(name, escaped));
            }
        }
        if (replaced is null)
            return;
        foreach (var property in replaced)
            logEvent.AddOrUpdateProperty(property);
    }

    /// <summary>The value with its strings escaped, or null when nothing in it needs escaping.</summary>
    /// <remarks>
    /// The composite cases are separate methods: their lambdas capture locals, and a closure declared in a switch section
    /// is allocated on every call of the method, whichever case runs (eight per request event, all scalars).
    /// </remarks>
    private static LogEventPropertyValue? Escape(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when NeedsEscaping(text) => new ScalarValue(Escape(text)),
        ScalarValue => null,
        SequenceValue sequence => Escape(sequence),
        StructureValue structure => Escape(structure),
        DictionaryValue dictionary => Escape(dictionary),
        _ => null,
    };

    private static SequenceValue? Escape(SequenceValue sequence)
    {
        var items = sequence.Elements.Select(e => Escape(e)).ToArray();
        return items.All(i => i is null) ? null
            : new SequenceValue(items.Select((item, i) => item ?? sequence.Elements[i]));
    }

    private static StructureValue? Escape(StructureValue structure)
    {
        var properties = structure.Properties.Select(p => Escape(p.Value)).ToArray();
        return properties.All(p => p is null) ? null
            : new StructureValue(structure.Properties.Select((p, i) => properties[i] is { } escaped ? new LogEventProperty(p.Name, escaped) : p), structure.TypeTag);
    }

    private static DictionaryValue? Escape(DictionaryValue dictionary)
    {
        var entries = dictionary.Elements.Select(e => (Key: Escape(e.Key) as ScalarValue ?? e.Key, Value: Escape(e.Value) ?? e.Value)).ToArray();
        return entries.Zip(dictionary.Elements).All(p => ReferenceEquals(p.First.Key, p.Second.Key) && ReferenceEquals(p.First.Value, p.Second.Value)) ? null
            : new DictionaryValue(entries.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>(e.Key, e.Value)));
    }

    /// <summary>Whether <see cref="Escape(string)"/> would change <paramref name="text"/>.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<char> text) => text.IndexOfAny(Unsafe) >= 0;

    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r': escaped.Append("\\r"); break;
                case '\n': escaped.Append("\\n"); break;
                case '\t': escaped.Append("\\t"); break;
                case '\0': escaped.Append("\\0"); break;
                default:
                    if (Unsafe.Contains(c))
                        escaped.Append("\\u").Append(((int)c).ToString("x4"));
                    else
                        escaped.Append(c);
                    break;
            }
        }
        return escaped.ToString();
    }
}
