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
        ModelAction.For<NoContext, FloodData, FloodResult>("publish", "Publishes many events, in batches with a pause between.", async (call, ct) =>
        {
            var (topic, count, size, batch, pause, first) = call.Data;
            var padding = new string('x', size);
            for (var i = 1; i <= count; i++)
            {
                events.Publish(new ModelEvent("flood.item", topic, new { n = (first ?? 1) + i - 1, padding }));
                if (i % (batch ?? count) == 0 && pause > 0)
                    await Task.Delay(pause.Value, ct);
            }
            return new ModelResult<FloodResult>($"Published {count}", new FloodResult(count));
        }),
    ];

    public sealed record FloodData(string Topic, int Count, int Size, int? Batch = null, int? PauseMs = null, int? First = null);

    public sealed record FloodResult(int Count);
}
