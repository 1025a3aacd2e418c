using System.Collections.Concurrent;
using System.Threading.Channels;
using McpApi.Metrics;

namespace McpApi.Events;

/// <summary>
/// The default hub: in-process fan-out with one bounded queue per subscriber and an index by topic,
/// so publishing costs one lookup plus one non-blocking write per interested subscriber. A model's every-topic
/// subscribers (<c>{model}:*</c>, <see cref="IEventHub.EveryTopicOf"/>) have an index of their own, looked up only while
/// there are any.
/// </summary>
public sealed class InProcessEventHub : IEventHub, IQueueDepthSource, IDisposable
{
    // Each topic's subscribers are an immutable array, replaced whole (copy-on-write) by subscribe and unsubscribe
    // under the lock; Publish reads the current array without a lock and without allocating.
    private readonly ConcurrentDictionary<string, Subscription[]> _byTopic = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Subscription[]> _byModel = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Subscription[]>.AlternateLookup<ReadOnlySpan<char>> _byModelName;
    private int _everyTopicModels; // _byModel's count, read without the dictionary's locks
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<Subscription, byte> _live = new();
    private readonly IDisposable _observed;

    public InProcessEventHub()
    {
        _byModelName = _byModel.GetAlternateLookup<ReadOnlySpan<char>>();
        _observed = McpApiMetrics.ObserveQueues(this);
    }

    public void Publish(ModelEvent modelEvent)
    {
        ArgumentNullException.ThrowIfNull(modelEvent);
        var exact = _byTopic.GetValueOrDefault(modelEvent.Topic, []);
        foreach (var subscription in exact)
            subscription.Offer(modelEvent);
        if (Volatile.Read(ref _everyTopicModels) == 0)
            return;
        var colon = modelEvent.Topic.IndexOf(':');
        if (colon <= 0 || !_byModelName.TryGetValue(modelEvent.Topic.AsSpan(0, colon), out var everyTopic))
            return;
        foreach (var subscription in everyTopic)
        {
            if (Array.IndexOf(exact, subscription) < 0) // once per subscriber, even one that follows both
                subscription.Offer(modelEvent);
        }
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
    internal int SubscriberCount(string topic) => _byTopic.TryGetValue(topic, out var subscribers) ? subscribers.Length : 0;

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
            {
                var (index, key) = IndexOf(topic);
                var subscribers = index.GetValueOrDefault(key, []);
                if (Array.IndexOf(subscribers, subscription) < 0)
                    index[key] = [.. subscribers, subscription];
            }
            Volatile.Write(ref _everyTopicModels, _byModel.Count);
        }
    }

    /// <summary>The index a topic lives in, and its key there: <c>chat:*</c> is model <c>chat</c> in the every-topic index.</summary>
    private (ConcurrentDictionary<string, Subscription[]> Index, string Key) IndexOf(string topic) =>
        IEventHub.EveryTopicModel(topic) is { } model ? (_byModel, model) : (_byTopic, topic);

    private void Unindex(Subscription subscription, IEnumerable<string> topics)
    {
        lock (_gate)
        {
            foreach (var topic in topics)
            {
                var (index, key) = IndexOf(topic);
                if (!index.TryGetValue(key, out var subscribers) || Array.IndexOf(subscribers, subscription) < 0)
                    continue;
                if (subscribers.Length == 1)
                    index.TryRemove(key, out _);
                else
                    index[key] = [.. subscribers.Where(s => s != subscription)];
            }
            Volatile.Write(ref _everyTopicModels, _byModel.Count);
        }
    }

    private sealed class Subscription : IEventSubscription
    {
        private readonly InProcessEventHub _hub;
        private readonly Channel<ModelEvent> _channel;
        private readonly QueueReader _reader;
        private readonly int _capacity;
        private int _queued; // events offered and not yet read: the bound, kept without the channel's lock
        private readonly CancellationTokenSource _overflowed = new();
        private readonly Lock _gate = new();
        private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
        private bool _closed;

        public Subscription(InProcessEventHub hub, int capacity)
        {
            _hub = hub;
            _capacity = capacity;
            // An unbounded single-reader channel reads without a lock (a lock-free queue); the bound is the counter
            // _queued, so the publisher and this subscriber's reader share no lock per event.
            _channel = Channel.CreateUnbounded<ModelEvent>(new UnboundedChannelOptions { SingleReader = true });
            _reader = new QueueReader(this);
        }

        public ChannelReader<ModelEvent> Reader => _reader;

        public CancellationToken Overflowed => _overflowed.Token;

        public IReadOnlyCollection<string> Topics
        {
            get { lock (_gate) return [.. _topics]; }
        }

        public void Offer(ModelEvent modelEvent)
        {
            if (Interlocked.Increment(ref _queued) <= _capacity && _channel.Writer.TryWrite(modelEvent))
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

        /// <summary>The channel's reader, counting each event read off the bound.</summary>
        private sealed class QueueReader(Subscription subscription) : ChannelReader<ModelEvent>
        {
            private ChannelReader<ModelEvent> Inner => subscription._channel.Reader;

            public override Task Completion => Inner.Completion;

            public override bool CanCount => true;

            public override int Count => Math.Max(0, Volatile.Read(ref subscription._queued));

            public override bool CanPeek => Inner.CanPeek;

            public override bool TryPeek([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ModelEvent item) => Inner.TryPeek(out item);

            public override bool TryRead([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ModelEvent item)
            {
                if (!Inner.TryRead(out item))
                    return false;
                Interlocked.Decrement(ref subscription._queued);
                return true;
            }

            public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => Inner.WaitToReadAsync(cancellationToken);
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
