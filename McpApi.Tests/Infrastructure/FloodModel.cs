using McpApi.Dispatching;
using McpApi.Events;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// Publishes <c>count</c> events of about <c>size</c> characters on a topic, numbered from <c>first</c> (default 1):
/// for slow-consumer tests.
/// </summary>
internal sealed class FloodModel(IEventPublisher events) : IModelHandler
{
    public string Name => "flood";

    public string Description => "Test-only event flood.";

    public IReadOnlyList<ModelAction> Actions =>
    [
        new("publish", "Publishes many events, in batches with a pause between.", "{}", async (call, ct) =>
        {
            var topic = call.Data.GetProperty("topic").GetString()!;
            var count = call.Data.GetProperty("count").GetInt32();
            var batch = call.Data.TryGetProperty("batch", out var b) ? b.GetInt32() : count;
            var pause = call.Data.TryGetProperty("pauseMs", out var p) ? p.GetInt32() : 0;
            var first = call.Data.TryGetProperty("first", out var f) ? f.GetInt32() : 1;
            var padding = new string('x', call.Data.GetProperty("size").GetInt32());
            for (var i = 1; i <= count; i++)
            {
                events.Publish(new ModelEvent("flood.item", topic, new { n = first + i - 1, padding }));
                if (i % batch == 0 && pause > 0)
                    await Task.Delay(pause, ct);
            }
            return new ModelResult($"Published {count}", new { count });
        }),
    ];
}
