using System.Text.RegularExpressions;
using McpApi.Envelopes;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Puts an error message in an MCP client's terms: the models name actions as the envelope door knows them
/// (<c>the action 'new'</c>, <c>{"model":"move","action":"new",...}</c>, <c>move.play</c>, <c>GET /mcp/models</c>); a tool
/// caller needs the tool to call (<c>move_new</c>) and the place its schema is (<c>tools/list</c>). The envelope door
/// keeps the original wording.
/// </summary>
internal static partial class ToolTerms
{
    /// <summary>The response with its message and field messages reworded for a caller of a tool of <paramref name="model"/>.</summary>
    public static EnvelopeResponse Reword(EnvelopeResponse response, string? model)
    {
        if (response.Status != EnvelopeResponse.Error)
            return response;
        var data = response.Data;
        if (data is ErrorDetails { Errors: { } errors } details)
        {
            data = new ErrorDetails
            {
                Code = details.Code,
                TraceId = details.TraceId,
                Errors = errors.ToDictionary(e => e.Key, e => e.Value.Select(m => Reword(m, model)).ToArray()),
                Extra = details.Extra,
            };
        }
        return response with { Message = Reword(response.Message, model), Data = data };
    }

    /// <summary>One message reworded (see <see cref="ToolTerms"/>).</summary>
    public static string Reword(string message, string? model)
    {
        message = EnvelopeCall().Replace(message, m =>
            $"the tool `{m.Groups["model"].Value}_{m.Groups["action"].Value}`"
            + (m.Groups["data"].Success ? $" with data {m.Groups["data"].Value}" : ""));
        message = SchemaPlace().Replace(message, "the tool's input schema in tools/list");
        message = message.Replace("GET /mcp/models", "tools/list", StringComparison.Ordinal);
        if (model is not null)
        {
            message = NamedAction().Replace(message, m => $"{m.Groups["the"].Value} tool `{model}_{m.Groups["action"].Value}`");
            message = Regex.Replace(message, $@"\b{Regex.Escape(model)}\.(?<action>[a-z_]+)\b", m => $"`{model}_{m.Groups["action"].Value}`");
        }
        return message;
    }

    [GeneratedRegex("""\{"model":"(?<model>[a-z_]+)","action":"(?<action>[a-z_]+)"(?:,"data":(?<data>\{[^{}]*\}))?\}""")]
    private static partial Regex EnvelopeCall();

    [GeneratedRegex(@"(?:the action's (?:schema and )?example in GET /mcp/models|GET /mcp/models for its schema and an example)")]
    private static partial Regex SchemaPlace();

    [GeneratedRegex(@"\b(?<the>[Tt]he) action '(?<action>[a-z_]+)'")]
    private static partial Regex NamedAction();
}
