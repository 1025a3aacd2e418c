// The suite exercises features the 2026-07-28 revision deprecates (logging, sampling, legacy enums); the fixtures must use them.
#pragma warning disable MCP9001, MCP9005

using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static ModelContextProtocol.Protocol.ElicitRequestParams;

namespace McpApi.ConformanceServer;

/// <summary>
/// The fixtures the official conformance suite (npm <c>@modelcontextprotocol/conformance</c>) calls by fixed names,
/// and <c>sdk_echo</c>, a plain SDK tool the benchmark compares generated tools with. Only this test host registers them
/// (<see cref="ConformanceSetup.AddConformanceFixtures"/>); McpApi itself lists only real handlers.
/// </summary>
internal static class ConformanceFixtures
{
    private const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    private const string Wav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

    private static readonly ConcurrentDictionary<string, byte> Subscriptions = new();

    public static IEnumerable<McpServerTool> Tools() =>
    [
        Tool("sdk_echo", "Plain SDK tool: returns its message (benchmark baseline).",
            ([Description("Text to echo.")] string message) => message),
        Tool("test_simple_text", "Returns simple text.", () => "This is a simple text response for testing."),
        Tool("test_image_content", "Returns an image.", () => ImageContentBlock.FromBytes(Convert.FromBase64String(Png), "image/png")),
        Tool("test_audio_content", "Returns audio.", () => AudioContentBlock.FromBytes(Convert.FromBase64String(Wav), "audio/wav")),
        Tool("test_embedded_resource", "Returns an embedded resource.", () => new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." },
        }),
        Tool("test_multiple_content_types", "Returns text, an image and a resource.", () => new ContentBlock[]
        {
            new TextContentBlock { Text = "Multiple content types test:" },
            ImageContentBlock.FromBytes(Convert.FromBase64String(Png), "image/png"),
            new EmbeddedResourceBlock
            {
                Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" },
            },
        }),
        Tool("test_tool_with_logging", "Sends three log notifications.", async (McpServer server, CancellationToken ct) =>
        {
            var logger = server.AsClientLoggerProvider().CreateLogger("conformance");
            logger.LogInformation("Tool execution started");
            await Task.Delay(50, ct);
            logger.LogInformation("Tool processing data");
            await Task.Delay(50, ct);
            logger.LogInformation("Tool execution completed");
            return "Tool with logging executed successfully";
        }),
        Tool("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100.",
            async (McpServer server, RequestContext<CallToolRequestParams> request, CancellationToken ct) =>
            {
                var token = request.Params?.ProgressToken;
                foreach (var progress in new[] { 0f, 50f, 100f })
                {
                    if (token is { } t)
                        await server.NotifyProgressAsync(t, new ProgressNotificationValue { Progress = progress, Total = 100 }, cancellationToken: ct);
                    if (progress < 100)
                        await Task.Delay(50, ct);
                }
                return token?.ToString() ?? "No progress token provided";
            }),
        Tool("test_error_handling", "Always fails.", (Func<string>)(() =>
            throw new McpException("This tool intentionally returns an error for testing"))),
        Tool("test_sampling", "Asks the client's LLM for a completion.",
            async (McpServer server, [Description("The prompt to send to the LLM")] string prompt, CancellationToken ct) =>
            {
                var result = await server.SampleAsync(new CreateMessageRequestParams
                {
                    Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
                    MaxTokens = 100,
                }, ct);
                return $"LLM response: {(result.Content.FirstOrDefault() as TextContentBlock)?.Text}";
            }),
        Tool("test_elicitation", "Asks the user for a username and email.",
            async (McpServer server, [Description("The message to show the user")] string message, CancellationToken ct) =>
            {
                var result = await server.ElicitAsync(new ElicitRequestParams
                {
                    Message = message,
                    RequestedSchema = new RequestSchema
                    {
                        Properties =
                        {
                            ["username"] = new StringSchema { Description = "User's response" },
                            ["email"] = new StringSchema { Description = "User's email address" },
                        },
                        Required = ["username", "email"],
                    },
                }, ct);
                return $"User response: action={result.Action}, content={JsonSerializer.Serialize(result.Content)}";
            }),
        Tool("test_elicitation_sep1034_defaults", "Elicitation with default values (SEP-1034).", async (McpServer server, CancellationToken ct) =>
        {
            var result = await server.ElicitAsync(new ElicitRequestParams
            {
                Message = "Test elicitation with default values for primitive types",
                RequestedSchema = new RequestSchema
                {
                    Properties =
                    {
                        ["name"] = new StringSchema { Description = "Name", Default = "John Doe" },
                        ["age"] = new NumberSchema { Type = "integer", Description = "Age", Default = 30 },
                        ["score"] = new NumberSchema { Description = "Score", Default = 95.5 },
                        ["status"] = new UntitledSingleSelectEnumSchema { Description = "Status", Enum = ["active", "inactive", "pending"], Default = "active" },
                        ["verified"] = new BooleanSchema { Description = "Verified", Default = true },
                    },
                },
            }, ct);
            return $"Elicitation completed: action={result.Action}, content={JsonSerializer.Serialize(result.Content)}";
        }),
        Tool("test_elicitation_sep1330_enums", "Elicitation with every enum form (SEP-1330).", async (McpServer server, CancellationToken ct) =>
        {
            var result = await server.ElicitAsync(new ElicitRequestParams
            {
                Message = "Test elicitation with enum schemas",
                RequestedSchema = new RequestSchema
                {
                    Properties =
                    {
                        ["untitledSingle"] = new UntitledSingleSelectEnumSchema { Enum = ["option1", "option2", "option3"] },
                        ["titledSingle"] = new TitledSingleSelectEnumSchema
                        {
                            OneOf = [new() { Const = "value1", Title = "First Option" }, new() { Const = "value2", Title = "Second Option" }, new() { Const = "value3", Title = "Third Option" }],
                        },
                        ["legacyEnum"] = new LegacyTitledEnumSchema { Enum = ["opt1", "opt2", "opt3"], EnumNames = ["Option One", "Option Two", "Option Three"] },
                        ["untitledMulti"] = new UntitledMultiSelectEnumSchema { Items = new UntitledEnumItemsSchema { Type = "string", Enum = ["option1", "option2", "option3"] } },
                        ["titledMulti"] = new TitledMultiSelectEnumSchema
                        {
                            Items = new TitledEnumItemsSchema
                            {
                                AnyOf = [new() { Const = "value1", Title = "First Choice" }, new() { Const = "value2", Title = "Second Choice" }, new() { Const = "value3", Title = "Third Choice" }],
                            },
                        },
                    },
                },
            }, ct);
            return $"Elicitation completed: action={result.Action}, content={JsonSerializer.Serialize(result.Content)}";
        }),
        Tool("test_reconnection", "Closes its SSE stream mid-call so the client reconnects (SEP-1699).",
            async (RequestContext<CallToolRequestParams> request, CancellationToken ct) =>
            {
                // Closing the stream as the result is ready (as the SDK's own conformance server does) stores the result
                // for the reconnecting GET; closing it earlier raced the client's reconnect against the result.
                await Task.Delay(200, ct);
                await request.EnablePollingAsync(TimeSpan.FromMilliseconds(500), ct);
                return "Reconnection test completed";
            }),
        JsonSchema2020Tool(),
        // SEP-2575: mutate the tool or prompt list (add then remove a transient one) so open listen streams get list_changed.
        Tool("test_trigger_tool_change", "Changes the tool list (SEP-2575).", (McpServer server) =>
        {
            var tools = server.ServerOptions.ToolCollection!;
            var transient = Tool("test_transient_tool", "Exists for a moment.", () => "transient");
            tools.TryAdd(transient);
            tools.Remove(transient);
            return "The tool list changed.";
        }),
        Tool("test_trigger_prompt_change", "Changes the prompt list (SEP-2575).", (McpServer server) =>
        {
            var prompts = server.ServerOptions.PromptCollection!;
            var transient = McpServerPrompt.Create(() => "transient", new McpServerPromptCreateOptions { Name = "test_transient_prompt" });
            prompts.TryAdd(transient);
            prompts.Remove(transient);
            return "The prompt list changed.";
        }),
        // SEP-2243: the Region argument travels as the Mcp-Param-Region header too, and the server checks the two agree.
        Tool("test_header_tool", "A tool with x-mcp-header annotations for conformance testing",
            ([McpHeader("Region"), Description("The deployment region")] string region, [Description("The query to execute")] string query) =>
                $"Executed in region {region}: {query}"),
    ];

    public static IEnumerable<McpServerResource> Resources() =>
    [
        McpServerResource.Create(() => new TextResourceContents
        {
            Uri = "test://static-text", MimeType = "text/plain", Text = "This is the content of the static text resource.",
        }, new McpServerResourceCreateOptions { UriTemplate = "test://static-text", Name = "static-text", Description = "A static text resource.", MimeType = "text/plain" }),
        McpServerResource.Create(() => BlobResourceContents.FromBytes(Convert.FromBase64String(Png), "test://static-binary", "image/png"),
            new McpServerResourceCreateOptions { UriTemplate = "test://static-binary", Name = "static-binary", Description = "A static PNG image.", MimeType = "image/png" }),
        McpServerResource.Create(() => new TextResourceContents
        {
            Uri = "test://watched-resource", MimeType = "text/plain", Text = "Watched resource content.",
        }, new McpServerResourceCreateOptions { UriTemplate = "test://watched-resource", Name = "watched-resource", Description = "A resource clients may subscribe to.", MimeType = "text/plain" }),
        McpServerResource.Create((string id) => new TextResourceContents
        {
            Uri = $"test://template/{id}/data",
            MimeType = "application/json",
            Text = JsonSerializer.Serialize(new { id, templateTest = true, data = $"Data for ID: {id}" }),
        }, new McpServerResourceCreateOptions { UriTemplate = "test://template/{id}/data", Name = "template-data", Description = "A templated resource.", MimeType = "application/json" }),
    ];

    public static IEnumerable<McpServerPrompt> Prompts() =>
    [
        McpServerPrompt.Create(() => new GetPromptResult
        {
            Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "This is a simple prompt for testing." } }],
        }, new McpServerPromptCreateOptions { Name = "test_simple_prompt", Description = "A prompt without arguments." }),
        McpServerPrompt.Create(([Description("First test argument")] string arg1, [Description("Second test argument")] string arg2) => new GetPromptResult
        {
            Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = $"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'" } }],
        }, new McpServerPromptCreateOptions { Name = "test_prompt_with_arguments", Description = "A prompt with two arguments." }),
        McpServerPrompt.Create(([Description("URI of the resource to embed")] string resourceUri) => new GetPromptResult
        {
            Messages =
            [
                new PromptMessage
                {
                    Role = Role.User,
                    Content = new EmbeddedResourceBlock
                    {
                        Resource = new TextResourceContents { Uri = resourceUri, MimeType = "text/plain", Text = "Embedded resource content for testing." },
                    },
                },
                new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please process the embedded resource above." } },
            ],
        }, new McpServerPromptCreateOptions { Name = "test_prompt_with_embedded_resource", Description = "A prompt embedding a resource." }),
        McpServerPrompt.Create(() => new GetPromptResult
        {
            Messages =
            [
                new PromptMessage { Role = Role.User, Content = ImageContentBlock.FromBytes(Convert.FromBase64String(Png), "image/png") },
                new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please analyze the image above." } },
            ],
        }, new McpServerPromptCreateOptions { Name = "test_prompt_with_image", Description = "A prompt with an image." }),
    ];

    /// <summary>Completion, subscriptions and logging level: the handlers the suite's protocol scenarios call.</summary>
    public static void AddHandlers(McpServerOptions options)
    {
        options.Handlers.CompleteHandler = (_, _) => ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = [], Total = 0, HasMore = false },
        });
        options.Handlers.SubscribeToResourcesHandler = (request, _) =>
        {
            if (request.Params?.Uri is { } uri)
                Subscriptions[$"{request.Server.SessionId}|{uri}"] = 0;
            return ValueTask.FromResult(new EmptyResult());
        };
        options.Handlers.UnsubscribeFromResourcesHandler = (request, cancellationToken) =>
        {
            if (request.Params?.Uri is { } uri)
                Subscriptions.TryRemove($"{request.Server.SessionId}|{uri}", out _);
            return ValueTask.FromResult(new EmptyResult());
        };
        options.Handlers.SetLoggingLevelHandler = (_, _) => ValueTask.FromResult(new EmptyResult());
    }

    private static McpServerTool Tool(string name, string description, Delegate handler) =>
        McpServerTool.Create(handler, new McpServerToolCreateOptions { Name = name, Description = description });

    private static McpServerTool JsonSchema2020Tool()
    {
        var tool = Tool("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
            (JsonElement? name, JsonElement? address) => $"name={name}, address={address}");
        tool.ProtocolTool.InputSchema = JsonElement.Parse("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "$defs": {
                "address": { "type": "object", "properties": { "street": { "type": "string" }, "city": { "type": "string" } } }
              },
              "properties": { "name": { "type": "string" }, "address": { "$ref": "#/$defs/address" } },
              "additionalProperties": false
            }
            """);
        return tool;
    }
}
