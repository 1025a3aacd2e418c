using System.Collections.Concurrent;
using System.Threading.Channels;

namespace McpApi.Events;

/// <summary>The default hub: in-process fan-out with one bounded channel per subscriber.</summary>
public sealed class InProcessEventHub : IEventHub
{
    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();

    public void Publish(ModelEvent modelEvent)
    {
        foreach (var subscription in _subscriptions.Keys)
        {
            if (subscription.Wants(modelEvent.Topic))
                subscription.Offer(modelEvent);
        }
    }

    public IEventSubscription Subscribe(IEnumerable<string> topics, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var subscription = new Subscription(this, topics, capacity);
        _subscriptions.TryAdd(subscription, 0);
        return subscription;
    }

    private sealed class Subscription : IEventSubscription
    {
        private readonly InProcessEventHub _hub;
        private readonly Channel<ModelEvent> _channel;
        private readonly int _capacity;
        private readonly Lock _gate = new();
        private HashSet<string> _topics;

        public Subscription(InProcessEventHub hub, IEnumerable<string> topics, int capacity)
        {
            _hub = hub;
            _capacity = capacity;
            _topics = new HashSet<string>(topics, StringComparer.Ordinal);
            _channel = Channel.CreateBounded<ModelEvent>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }

        public ChannelReader<ModelEvent> Reader => _channel.Reader;

        public IReadOnlyCollection<string> Topics
        {
            get { lock (_gate) return [.. _topics]; }
        }

        public bool Wants(string topic)
        {
            lock (_gate) return _topics.Contains(topic);
        }

        public void Offer(ModelEvent modelEvent)
        {
            // A full queue means the consumer is too slow: drop it rather than block the writer.
            if (!_channel.Writer.TryWrite(modelEvent) && _channel.Writer.TryComplete(new EventQueueOverflowException(_capacity)))
                _hub._subscriptions.TryRemove(this, out _);
        }

        public void Add(IEnumerable<string> topics)
        {
            lock (_gate) _topics = [.. _topics, .. topics];
        }

        public void Remove(IEnumerable<string> topics)
        {
            lock (_gate) _topics = [.. _topics.Except(topics)];
        }

        public void Dispose()
        {
            _hub._subscriptions.TryRemove(this, out _);
            _channel.Writer.TryComplete();
        }
    }
}
