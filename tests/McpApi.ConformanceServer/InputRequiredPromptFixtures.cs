// Adapted from the MCP C# SDK's own conformance server (tests/ModelContextProtocol.ConformanceServer, Apache-2.0).
// MRTR (SEP-2322) is experimental; the scenarios ask for sampling and roots, which 2026-07-28 deprecates.
#pragma warning disable MCPEXP001, MCP9005

using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using System.ComponentModel;
using System.Text.Json;

namespace McpApi.ConformanceServer;

/// <summary>
/// Prompt implementing the SEP-2322 D1 conformance scenario (<c>incomplete-result-non-tool-request</c>),
/// proving that <c>prompts/get</c> can return an <see cref="InputRequiredResult"/> just like
/// <c>tools/call</c>.
/// </summary>
[McpServerPromptType]
internal sealed class InputRequiredPromptFixtures
{
    [McpServerPrompt(Name = "test_input_required_result_prompt")]
    [Description("SEP-2322 D1: prompts/get returns InputRequiredResult until user_context is supplied.")]
    public static GetPromptResult IncompleteResultPrompt(RequestContext<GetPromptRequestParams> context)
    {
        if (context.Params!.InputResponses is { } responses &&
            responses.TryGetValue("user_context", out var response))
        {
            var elicit = response.Deserialize(InputResponse.ElicitResultJsonTypeInfo);
            var contextValue = TryReadString(elicit?.Content, "context") ?? "(unknown)";
            return new GetPromptResult
            {
                Description = "Prompt customized with elicited user context.",
                Messages =
                [
                    new PromptMessage
                    {
                        Role = Role.User,
                        Content = new TextContentBlock { Text = $"Please continue using context: {contextValue}" },
                    },
                ],
            };
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                ["user_context"] = InputRequest.ForElicitation(new ElicitRequestParams
                {
                    Message = "What context should the prompt use?",
                    RequestedSchema = new ElicitRequestParams.RequestSchema
                    {
                        Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                        {
                            ["context"] = new ElicitRequestParams.StringSchema(),
                        },
                        Required = ["context"],
                    },
                }),
            });
    }

    private static string? TryReadString(IDictionary<string, JsonElement>? content, string key)
    {
        if (content is null || !content.TryGetValue(key, out var element))
        {
            return null;
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : element.ToString();
    }
}
