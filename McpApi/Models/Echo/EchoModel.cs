using System.Text.Json;
using McpApi.Dispatching;

namespace McpApi.Models.Echo;

/// <summary>Echoes the request body exactly as received — the original Flask server's behaviour.</summary>
public sealed class EchoModel : IModelHandler
{
    public string Name => "echo";

    public string Description => "Echoes the whole request envelope back. Envelopes without a model go here.";

    public IReadOnlyList<ModelAction> Actions { get; } =
    [
        ModelAction.For<JsonElement, JsonElement, EchoData>("echo", "Returns {\"echo\": <the request body as received>}.",
            static (call, _) => ValueTask.FromResult(new ModelResult<EchoData>("MCP request processed successfully", new EchoData(call.Envelope.Raw))))
        with
        {
            ExampleContext = JsonSerializer.SerializeToElement("user"),
            ExampleData = JsonSerializer.SerializeToElement("Hello, world!"),
            ReadOnly = true,
            Idempotent = true,
        },
    ];

    public sealed record EchoData(JsonElement Echo);
}
