using System.Collections.Concurrent;
using System.Threading.Channels;

namespace McpApi.Events.Backplane;

/// <summary>
/// The event hub of a replica in a cluster: the in-process hub does the local fan-out, unchanged; this adds the way out
/// (every event published here is queued for the backplane, never waited on) and the way in (<see cref="Deliver"/>: an
/// event another replica published reaches this replica's subscribers exactly as a local one would).
/// </summary>
/// <remarks>
/// When the backplane connection was lost and comes back, events published elsewhere in between never arrived here.
/// Rather than leave a silent gap, <see cref="CutAll"/> ends every subscription as an overflow does: WebSocket, SSE and
/// TCP subscribers get the overflow notice and are disconnected, and reconnecting with their cursor (SSE
/// <c>Last-Event-Id</c>, the <c>after</c> of subscribe) replays what they missed from the stored history.
/// </remarks>
public sealed class BackplaneEventHub : IEventHub, IDisposable
{
    private readonly InProcessEventHub _local = new();
    private readonly Channel<ModelEvent> _outgoing;
    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();
    private long _dropped;

    public BackplaneEventHub(int sendQueueCapacity)
    {
        _outgoing = Channel.CreateBounded<ModelEvent>(new BoundedChannelOptions(sendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        }, _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>This replica's id on the backplane.</summary>
    public string Origin { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Events not sent because the send queue was full (the backplane was down for long).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal ChannelReader<ModelEvent> Outgoing => _outgoing.Reader;

    public void Publish(ModelEvent modelEvent)
    {
        _local.Publish(modelEvent);
        _outgoing.Writer.TryWrite(modelEvent);
    }

    /// <summary>An event from another replica: to this replica's subscribers only.</summary>
    public void Deliver(ModelEvent modelEvent) => _local.Publish(modelEvent);

    public IEventSubscription Subscribe(IEnumerable<string> topics, int capacity)
    {
        var subscription = new Subscription(this, _local.Subscribe(topics, capacity));
        _subscriptions.TryAdd(subscription, 0);
        return subscription;
    }

    /// <summary>Ends every subscription as if it had overflowed, so its client reconnects and replays what it missed.</summary>
    public int CutAll()
    {
        var cut = 0;
        foreach (var subscription in _subscriptions.Keys)
        {
            subscription.Cut();
            cut++;
        }
        return cut;
    }

    public void Dispose()
    {
        _outgoing.Writer.TryComplete();
        _local.Dispose();
    }

    private sealed class Subscription : IEventSubscription
    {
        private readonly BackplaneEventHub _hub;
        private readonly IEventSubscription _inner;
        private readonly CancellationTokenSource _cut = new();
        private readonly CancellationTokenSource _overflowed;

        public Subscription(BackplaneEventHub hub, IEventSubscription inner)
        {
            _hub = hub;
            _inner = inner;
            _overflowed = CancellationTokenSource.CreateLinkedTokenSource(inner.Overflowed, _cut.Token);
        }

        public ChannelReader<ModelEvent> Reader => _inner.Reader;

        public IReadOnlyCollection<string> Topics => _inner.Topics;

        public CancellationToken Overflowed => _overflowed.Token;

        public void Add(IEnumerable<string> topics) => _inner.Add(topics);

        public void Remove(IEnumerable<string> topics) => _inner.Remove(topics);

        public void Cut()
        {
            // Callbacks run inline on cancellation; keep them off the backplane's thread.
            ThreadPool.UnsafeQueueUserWorkItem(static cts => { try { cts.Cancel(); } catch (ObjectDisposedException) { } }, _cut, preferLocal: false);
        }

        public void Dispose()
        {
            _hub._subscriptions.TryRemove(this, out _);
            _inner.Dispose();
            _overflowed.Dispose();
            _cut.Dispose();
        }
    }
}
