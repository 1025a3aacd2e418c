using System.Text.Json.Nodes;
using McpApi.Auth;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using McpApi.Envelopes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace McpApi.OpenApi;

/// <summary>
/// Describes the body of <c>POST /mcp</c> (the <see cref="EnvelopeRequest"/> schema, JSON), adds named request examples
/// (one per model and action, taken from the registry), the success envelope each of them gets (under the same name),
/// and an example error envelope to each error status. With authentication on, the examples are the actions the caller
/// who fetches the document may call (as in <c>GET /mcp/models</c> and MCP <c>tools/list</c>): none for an anonymous caller, and the description says so.
/// </summary>
internal sealed class EnvelopeExamplesFilter(
    ModelRegistry registry, Dispatcher dispatcher, CallerAuthentication authentication) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<EnvelopeEndpointMetadata>().Any())
            return;
        if (HttpMethods.IsPost(context.ApiDescription.HttpMethod ?? ""))
            operation.RequestBody ??= new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = context.SchemaGenerator.GenerateSchema(typeof(EnvelopeRequest), context.SchemaRepository) },
                },
            };

        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) != true)
            return;
        var (visible, note) = Visible();
        var requests = RequestExamples(visible);
        body!.Examples = requests;
        if (note is not null)
            operation.Description += note;

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response.Content?.TryGetValue("application/json", out var media) != true)
                continue;
            if (status == "200")
            {
                media!.Examples = SuccessFor(requests);
                if (response is OpenApiResponse ok)
                    ok.Description = "The action ran: `status` is success, `message` says what happened, `data` is the action's result";
            }
            else if (ErrorExamples.TryGetValue(status, out var example))
            {
                media!.Example = status == "404" ? UnknownModelExample() : JsonNode.Parse(example);
                if (response is OpenApiResponse concrete)
                    concrete.Description = ErrorDescriptions[status];
            }
        }
    }

    /// <summary>The success envelope each request example gets, under the request example's name (see <see cref="SuccessExamples"/>).</summary>
    private static Dictionary<string, IOpenApiExample> SuccessFor(Dictionary<string, IOpenApiExample> requests)
    {
        var replies = new Dictionary<string, IOpenApiExample>();
        foreach (var (name, request) in requests)
        {
            if (SuccessExamples.TryGetValue(name, out var reply))
                replies[name] = new OpenApiExample { Summary = request.Summary, Value = JsonNode.Parse(reply) };
        }
        return replies;
    }

    /// <summary>The dispatcher's own answer to an unknown model, so the example lists every registered model.</summary>
    private JsonNode? UnknownModelExample()
    {
        var envelope = EnvelopeParser.Parse("""{"model":"nope"}"""u8.ToArray(), out var document);
        using (document)
        {
            try
            {
                dispatcher.Resolve(envelope);
                return null;
            }
            catch (RequestError error)
            {
                return EnvelopeJson.ToNode(Dispatcher.Failure(error, ExampleTraceId).Response);
            }
        }
    }

    private const string ExampleTraceId = "0HN7:00000001";

    /// <summary>Which actions the document shows examples of, and a note for the description when that is not every action.</summary>
    private (Func<RegisteredAction, bool> Visible, string? Note) Visible()
    {
        if (!authentication.Required)
            return (_ => true, null);
        if ((Hosting.CurrentRequest.Http is { } http ? CallerClaimsIdentity.Of(http) : null) is not { } identity)
            return (_ => false, "\n\nThis server requires a credential, and this document was fetched without one, so it shows no examples: "
                + "fetch `/swagger/v1/swagger.json` with `Authorization: Bearer <key>` (or `X-Api-Key`) to see those of the actions your credential may call.");
        return (action => Access.MayCall(identity, action),
            $"\n\nThe examples are the actions '{identity.Name}' may call (scopes: {string.Join(", ", identity.Scopes.Texts)}).");
    }

    private Dictionary<string, IOpenApiExample> RequestExamples(Func<RegisteredAction, bool> visible)
    {
        var examples = new Dictionary<string, IOpenApiExample>
        {
            ["seed-chat"] = new OpenApiExample
            {
                Summary = "The seed's chat message",
                Value = JsonNode.Parse("""{"model":"chat","context":"user","data":"Hello, world!"}"""),
            },
            ["seed-echo"] = new OpenApiExample
            {
                Summary = "The seed's request shape (no model: echoed back)",
                Value = JsonNode.Parse("""{"action":"test","parameters":{"key1":"value1","key2":"value2"}}"""),
            },
        };
        foreach (var model in registry.Models)
        {
            foreach (var action in model.Actions.Where(visible))
            {
                examples[$"{model.Name}-{action.Name}"] = new OpenApiExample
                {
                    Summary = $"{model.Name} / {action.Name}",
                    Description = action.Action.Description,
                    Value = action.Action.ExampleEnvelope(model.Name),
                };
            }
        }
        if (!registry.TryGet("chat", out var chat) || !chat.TryGetAction("send", out var send) || !visible(send))
            examples.Remove("seed-chat");
        if (!registry.TryGet("echo", out var echo) || !visible(echo.Default))
            examples.Remove("seed-echo");
        return examples;
    }

    /// <summary>
    /// What the server answers to each request example when they are sent in this order to an empty database (a second
    /// player joins game g1 before <c>move-play</c>); timestamps shown as 2026-11-25T08:42:39.123Z.
    /// SwaggerDocumentTests replays them against the real app, so they stay true to the code.
    /// </summary>
    private static readonly Dictionary<string, string> SuccessExamples = new()
    {
        ["echo-echo"] = """{"status":"success","message":"MCP request processed successfully","data":{"echo":{"model":"echo","action":"echo","context":"user","data":"Hello, world!"}}}""",
        ["seed-echo"] = """{"status":"success","message":"MCP request processed successfully","data":{"echo":{"action":"test","parameters":{"key1":"value1","key2":"value2"}}}}""",
        ["chat-send"] = """{"status":"success","message":"Message 1 sent to room 'lobby'.","data":{"id":1,"room":"lobby","user":"ana","text":"Hello, world!","sentAt":"2026-11-25T08:42:39.123Z"}}""",
        ["seed-chat"] = """{"status":"success","message":"Message 2 sent to room 'lobby'.","data":{"id":2,"room":"lobby","user":"user","text":"Hello, world!","sentAt":"2026-11-25T08:42:39.123Z"}}""",
        ["chat-history"] = """{"status":"success","message":"2 message(s) from room 'lobby'.","data":{"room":"lobby","messages":[{"id":1,"room":"lobby","user":"ana","text":"Hello, world!","sentAt":"2026-11-25T08:42:39.123Z"},{"id":2,"room":"lobby","user":"user","text":"Hello, world!","sentAt":"2026-11-25T08:42:39.123Z"}]}}""",
        ["chat-rooms"] = """{"status":"success","message":"1 room(s) with messages.","data":{"rooms":[{"room":"lobby","messages":2,"lastActivity":"2026-11-25T08:42:39.123Z"}]}}""",
        ["notes-add"] = """{"status":"success","message":"Note 1 added to notebook 'default'.","data":{"id":1,"notebook":"default","text":"Buy milk","createdAt":"2026-11-25T08:42:39.123Z"}}""",
        ["notes-list"] = """{"status":"success","message":"1 note(s) from notebook 'default'.","data":{"notebook":"default","notes":[{"id":1,"notebook":"default","text":"Buy milk","createdAt":"2026-11-25T08:42:39.123Z"}],"nextAfter":null}}""",
        ["notes-latest"] = """{"status":"success","message":"The latest note in notebook 'default'.","data":{"id":1,"notebook":"default","text":"Buy milk","createdAt":"2026-11-25T08:42:39.123Z"}}""",
        ["notes-summary_prompt"] = """{"status":"success","message":"A prompt to summarize the 1 note(s) of notebook 'default'.","data":{"notebook":"default","count":1,"prompt":"Summarize the current notes: Buy milk"}}""",
        ["notes-notebooks"] = """{"status":"success","message":"1 notebook(s) with notes.","data":{"notebooks":[{"notebook":"default","notes":1,"lastAdded":"2026-11-25T08:42:39.123Z"}]}}""",
        ["notes-delete"] = """{"status":"success","message":"Note 1 deleted from notebook 'default'.","data":{"deleted":1}}""",
        ["state-set"] = """{"status":"success","message":"Key 'counter' created at version 1.","data":{"key":"counter","value":1,"version":1,"updatedAt":"2026-11-25T08:42:39.123Z"}}""",
        ["state-get"] = """{"status":"success","message":"Key 'counter' is at version 1.","data":{"key":"counter","value":1,"version":1,"updatedAt":"2026-11-25T08:42:39.123Z"}}""",
        ["state-list"] = """{"status":"success","message":"1 key(s) in namespace 'default'.","data":{"namespace":"default","keys":[{"key":"counter","version":1,"updatedAt":"2026-11-25T08:42:39.123Z"}],"nextAfter":null}}""",
        ["state-namespaces"] = """{"status":"success","message":"1 namespace(s) with keys.","data":{"namespaces":[{"namespace":"default","keys":1,"lastUpdated":"2026-11-25T08:42:39.123Z"}]}}""",
        ["state-delete"] = """{"status":"success","message":"Key 'counter' (version 1) deleted.","data":{"key":"counter","deleted":true,"version":1}}""",
        ["move-new"] = """{"status":"success","message":"Game 'g1' created; waiting for players X and O to join.","data":{"id":"g1","board":[null,null,null,null,null,null,null,null,null],"players":{"X":null,"O":null},"turn":null,"status":"waiting","winner":null,"moves":0}}""",
        ["move-join"] = """{"status":"success","message":"'ana' plays X in game 'g1'; waiting for O to join.","data":{"id":"g1","board":[null,null,null,null,null,null,null,null,null],"players":{"X":"ana","O":null},"turn":null,"status":"waiting","winner":null,"moves":0}}""",
        ["move-play"] = """{"status":"success","message":"'ana' played cell 4; O to move.","data":{"id":"g1","board":[null,null,null,null,"X",null,null,null,null],"players":{"X":"ana","O":"bo"},"turn":"O","status":"playing","winner":null,"moves":1}}""",
        ["move-get"] = """{"status":"success","message":"Game 'g1' is playing.","data":{"id":"g1","board":[null,null,null,null,"X",null,null,null,null],"players":{"X":"ana","O":"bo"},"turn":"O","status":"playing","winner":null,"moves":1}}""",
        ["move-list"] = """{"status":"success","message":"1 open or running game(s).","data":{"games":[{"id":"g1","board":[null,null,null,null,"X",null,null,null,null],"players":{"X":"ana","O":"bo"},"turn":"O","status":"playing","winner":null,"moves":1}]}}""",
    };

    private static readonly Dictionary<string, string> ErrorDescriptions = new()
    {
        ["400"] = "Malformed JSON, a body that is not an object, or envelope fields of the wrong type",
        ["403"] = "The caller may not do this (e.g. not a player in this game)",
        ["404"] = "Unknown model or action, or the item named does not exist",
        ["409"] = "Conflict with the current state (version mismatch, not your turn, ...)",
        ["413"] = "Body over McpApi:MaxRequestBytes, or a value over a model's size limit",
        ["415"] = "Content-Type is not application/json",
        ["422"] = "data does not fit the action's JSON Schema or rules; data.errors lists each field",
        ["429"] = "The caller spent its request or write budget (RateLimits); wait data.retryAfterSeconds (also the Retry-After header)",
        ["500"] = "Unexpected server failure; quote data.traceId",
        ["503"] = "The database cannot be used right now (locked by another process, read-only, disk full); retry later",
    };

    private static readonly Dictionary<string, string> ErrorExamples = new()
    {
        ["400"] = """{"status":"error","message":"The request body is not valid JSON at line 1, position 12. Check quotes, commas and brackets.","data":{"code":"malformed_json","traceId":"0HN7:00000001"}}""",
        ["403"] = """{"status":"error","message":"You are not a player in game g1.","data":{"code":"not_a_player","traceId":"0HN7:00000001"}}""",
        ["404"] = "", // UnknownModelExample(): the dispatcher's own answer
        ["409"] = """{"status":"error","message":"Version mismatch.","data":{"code":"version_conflict","traceId":"0HN7:00000001"}}""",
        ["413"] = """{"status":"error","message":"The request body is larger than the 1048576 byte limit (setting McpApi:MaxRequestBytes). Send less data per envelope.","data":{"code":"payload_too_large","traceId":"0HN7:00000001"}}""",
        ["415"] = """{"status":"error","message":"Content-Type 'text/plain' is not supported. Send the envelope as JSON with 'Content-Type: application/json' (curl: -H 'Content-Type: application/json').","data":{"code":"unsupported_media_type","traceId":"0HN7:00000001"}}""",
        ["422"] = """{"status":"error","message":"The data does not fit chat.send: data: Value is \"number\" but should be \"string\".","data":{"code":"validation_failed","errors":{"data":["Value is \"number\" but should be \"string\""]},"traceId":"0HN7:00000001"}}""",
        ["429"] = """{"status":"error","message":"Too many writes: client 203.0.113.7 may make 50 writes per second (bursts of 100; setting RateLimits:WritesPerSecond), and state set is a write. Wait 1 s and send again.","data":{"code":"rate_limited","traceId":"0HN7:00000001","retryAfterSeconds":1}}""",
        ["500"] = """{"status":"error","message":"The server failed to process the request. It has been logged; quote trace id 0HN7:00000001 when reporting it.","data":{"code":"internal_error","traceId":"0HN7:00000001"}}""",
        ["503"] = """{"status":"error","message":"The database is locked by another process and stayed locked for longer than Storage:BusyTimeoutMilliseconds; nothing was written. Retry shortly. The server is running but cannot use its database right now; quote trace id 0HN7:00000001 when reporting it.","data":{"code":"storage_unavailable","traceId":"0HN7:00000001"}}""",
    };
}
