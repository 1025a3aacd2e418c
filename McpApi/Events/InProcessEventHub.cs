using System.Collections.Concurrent;
using System.Threading.Channels;
using McpApi.Metrics;

namespace McpApi.Events;

/// <summary>
/// The default hub: in-process fan-out with one bounded channel per subscriber and an index by topic,
/// so publishing costs one lookup plus one non-blocking write per interested subscriber.
/// </summary>
public sealed class InProcessEventHub : IEventHub, IQueueDepthSource, IDisposable
{
    // Readers (Publish) are lock-free; subscribe/unsubscribe, which are rare, take the lock.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Subscription, byte>> _byTopic = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<Subscription, byte> _live = new();
    private readonly IDisposable _observed;

    public InProcessEventHub() => _observed = McpApiMetrics.ObserveQueues(this);

    public void Publish(ModelEvent modelEvent)
    {
        ArgumentNullException.ThrowIfNull(modelEvent);
        if (!_byTopic.TryGetValue(modelEvent.Topic, out var subscribers))
            return;
        foreach (var subscription in subscribers.Keys)
            subscription.Offer(modelEvent);
    }

    public IEventSubscription Subscribe(IEnumerable<string> topics, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var subscription = new Subscription(this, capacity);
        _live.TryAdd(subscription, 0);
        subscription.Add(topics);
        return subscription;
    }

    /// <summary>How many subscriptions the index holds for <paramref name="topic"/> (diagnostics).</summary>
    internal int SubscriberCount(string topic) => _byTopic.TryGetValue(topic, out var subscribers) ? subscribers.Count : 0;

    /// <summary>Subscribers and their queued events, for <see cref="McpApiMetrics"/> (read only when metrics are collected).</summary>
    QueueDepths IQueueDepthSource.QueueDepths()
    {
        long subscribers = 0, queued = 0, deepest = 0;
        foreach (var subscription in _live.Keys)
        {
            var depth = subscription.Reader.CanCount ? subscription.Reader.Count : 0;
            subscribers++;
            queued += depth;
            deepest = Math.Max(deepest, depth);
        }
        return new QueueDepths(subscribers, queued, deepest);
    }

    public void Dispose() => _observed.Dispose();

    private void Index(Subscription subscription, IEnumerable<string> topics)
    {
        lock (_gate)
        {
            foreach (var topic in topics)
                _byTopic.GetOrAdd(topic, static _ => new()).TryAdd(subscription, 0);
        }
    }

    private void Unindex(Subscription subscription, IEnumerable<string> topics)
    {
        lock (_gate)
        {
            foreach (var topic in topics)
            {
                if (!_byTopic.TryGetValue(topic, out var subscribers))
                    continue;
                subscribers.TryRemove(subscription, out _);
                if (subscribers.IsEmpty)
                    _byTopic.TryRemove(topic, out _);
            }
        }
    }

    private sealed class Subscription : IEventSubscription
    {
        private readonly InProcessEventHub _hub;
        private readonly Channel<ModelEvent> _channel;
        private readonly int _capacity;
        private readonly CancellationTokenSource _overflowed = new();
        private readonly Lock _gate = new();
        private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
        private bool _closed;

        public Subscription(InProcessEventHub hub, int capacity)
        {
            _hub = hub;
            _capacity = capacity;
            _channel = Channel.CreateBounded<ModelEvent>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait, // only TryWrite is used: a full queue is reported, never waited on
            });
        }

        public ChannelReader<ModelEvent> Reader => _channel.Reader;

        public CancellationToken Overflowed => _overflowed.Token;

        public IReadOnlyCollection<string> Topics
        {
            get { lock (_gate) return [.. _topics]; }
        }

        public void Offer(ModelEvent modelEvent)
        {
            if (_channel.Writer.TryWrite(modelEvent))
                return;
            // A full queue means the consumer is too slow: drop it rather than block the writer or the other subscribers.
            if (_channel.Writer.TryComplete(new EventQueueOverflowException(_capacity)))
            {
                McpApiMetrics.SubscriberCut();
                Close();
                // Cancellation runs callbacks inline; keep them off the publishing thread.
                ThreadPool.UnsafeQueueUserWorkItem(static cts => cts.Cancel(), _overflowed, preferLocal: false);
            }
        }

        // The index changes under this subscription's lock (always taken before the hub's), so a close that races
        // an Add either sees the added topics already indexed and removes them, or makes the Add a no-op.
        public void Add(IEnumerable<string> topics)
        {
            lock (_gate)
            {
                if (_closed)
                    return;
                _hub.Index(this, [.. topics.Where(_topics.Add)]);
            }
        }

        public void Remove(IEnumerable<string> topics)
        {
            lock (_gate)
                _hub.Unindex(this, [.. topics.Where(_topics.Remove)]);
        }

        public void Dispose()
        {
            Close();
            _hub._live.TryRemove(this, out _);
            _channel.Writer.TryComplete();
        }

        private void Close()
        {
            lock (_gate)
            {
                if (_closed)
                    return;
                _closed = true;
                _hub.Unindex(this, _topics);
            }
        }
    }
}
