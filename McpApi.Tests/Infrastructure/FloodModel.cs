using McpApi.Dispatching;
using McpApi.Events;

namespace McpApi.Tests.Infrastructure;

/// <summary>Publishes <c>count</c> events of about <c>size</c> characters on a topic at once: for slow-consumer tests.</summary>
internal sealed class FloodModel(IEventPublisher events) : IModelHandler
{
    public string Name => "flood";

    public string Description => "Test-only event flood.";

    public IReadOnlyList<ModelAction> Actions =>
    [
        ModelAction.For<NoContext, FloodData, FloodResult>("publish", "Publishes many events, in batches with a pause between.", async (call, ct) =>
        {
            var (topic, count, size, batch, pause) = call.Data;
            var padding = new string('x', size);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var longestPublish = TimeSpan.Zero;
            for (var i = 1; i <= count; i++)
            {
                var start = clock.Elapsed;
                events.Publish(new ModelEvent("flood.item", topic, new { n = i, padding }));
                longestPublish = TimeSpan.FromTicks(Math.Max(longestPublish.Ticks, (clock.Elapsed - start).Ticks));
                if (i % (batch ?? count) == 0 && pause > 0)
                    await Task.Delay(pause.Value, ct);
            }
            return new ModelResult<FloodResult>($"Published {count}", new FloodResult(count, longestPublish.TotalMilliseconds));
        }),
    ];

    public sealed record FloodData(string Topic, int Count, int Size, int? Batch = null, int? PauseMs = null);

    public sealed record FloodResult(int Count, double LongestPublishMs);
}
