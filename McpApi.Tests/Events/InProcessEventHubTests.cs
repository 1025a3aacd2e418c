using McpApi.Events;

namespace McpApi.Tests.Events;

/// <summary>The in-process event hub on its own: fan-out by topic, bounded queues, overflow and the topic index.</summary>
public sealed class InProcessEventHubTests
{
    private readonly InProcessEventHub _hub = new();

    internal static ModelEvent Event(string topic, int n = 0) => new("test.event", topic, n);

    [Fact]
    public void AnEventReachesOnlyTheSubscribersOfItsTopicInOrder()
    {
        using var lobby = _hub.Subscribe(["chat:lobby"], 8);
        using var other = _hub.Subscribe(["chat:other"], 8);

        _hub.Publish(Event("chat:lobby", 1));
        _hub.Publish(Event("chat:lobby", 2));
        _hub.Publish(Event("chat:nobody", 3));

        Drain(lobby).Select(e => e.Data).ShouldBe([1, 2]);
        Drain(other).ShouldBeEmpty();
    }

    [Fact]
    public void AnEveryTopicSubscriberGetsEachEventOfItsModelOnceEvenWhenItAlsoFollowsTheRoom()
    {
        using var rooms = _hub.Subscribe([IEventHub.EveryTopicOf("chat")], 8);
        using var both = _hub.Subscribe(["chat:*", "chat:lobby"], 8);

        _hub.Publish(Event("chat:lobby", 1));
        _hub.Publish(Event("chat:kitchen", 2));
        _hub.Publish(Event("chatter:x", 3));
        _hub.Publish(Event("state:lobby", 4));
        both.Remove(["chat:*"]);
        _hub.Publish(Event("chat:kitchen", 5));
        _hub.Publish(Event("chat:lobby", 6));

        Drain(rooms).Select(e => e.Data).ShouldBe([1, 2, 5, 6]);
        Drain(both).Select(e => e.Data).ShouldBe([1, 2, 6]);
        IEventHub.Follows("chat:*", "chat:lobby").ShouldBeTrue();
        IEventHub.Follows("chat:*", "chatter:lobby").ShouldBeFalse();
        IEventHub.Follows("chat:lobby", "chat:lobby").ShouldBeTrue();
    }

    [Fact]
    public void AddAndRemoveChangeWhatASubscriptionReceives()
    {
        using var subscription = _hub.Subscribe(["state:a"], 8);

        subscription.Add(["state:b", "state:a"]);
        _hub.Publish(Event("state:b", 1));
        subscription.Remove(["state:a"]);
        _hub.Publish(Event("state:a", 2));

        Drain(subscription).Select(e => e.Data).ShouldBe([1]);
        subscription.Topics.ShouldBe(["state:b"]);
        _hub.SubscriberCount("state:a").ShouldBe(0);
        _hub.SubscriberCount("state:b").ShouldBe(1);
    }

    [Fact]
    public async Task AFullQueueDropsTheSubscriberWithAnOverflowAndLeavesTheOthersServed()
    {
        using var slow = _hub.Subscribe(["move:g1"], 2);
        using var fast = _hub.Subscribe(["move:g1"], 16);

        for (var i = 0; i < 5; i++)
            _hub.Publish(Event("move:g1", i));

        var overflowed = new TaskCompletionSource();
        using var registration = slow.Overflowed.Register(() => overflowed.TrySetResult());
        await overflowed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Drain(slow).Count.ShouldBe(2);
        var error = await Should.ThrowAsync<EventQueueOverflowException>(() => slow.Reader.Completion);
        error.Capacity.ShouldBe(2);
        Drain(fast).Count.ShouldBe(5);
        _hub.SubscriberCount("move:g1").ShouldBe(1);
    }

    [Fact]
    public void DisposingASubscriptionRemovesItFromEveryTopicAndCompletesItsReader()
    {
        var subscription = _hub.Subscribe(["notes:a", "notes:b"], 4);

        subscription.Dispose();
        subscription.Dispose();

        _hub.SubscriberCount("notes:a").ShouldBe(0);
        _hub.SubscriberCount("notes:b").ShouldBe(0);
        subscription.Reader.Completion.IsCompleted.ShouldBeTrue();
        subscription.Add(["notes:c"]);
        _hub.SubscriberCount("notes:c").ShouldBe(0);
    }

    [Fact]
    public async Task PublishingToThousandsOfSubscribersReachesEachOnceAndCutsOnlyTheFullOnes()
    {
        var roomy = Enumerable.Range(0, 3000).Select(_ => _hub.Subscribe(["chat:crowd"], 4)).ToList();
        var tight = Enumerable.Range(0, 1000).Select(_ => _hub.Subscribe(["chat:crowd"], 1)).ToList();

        _hub.Publish(Event("chat:crowd", 1));
        _hub.Publish(Event("chat:crowd", 2));

        roomy.ShouldAllBe(s => s.Reader.Count == 2);
        foreach (var subscription in roomy)
            Drain(subscription).Select(e => e.Data).ShouldBe([1, 2]);
        foreach (var subscription in tight)
        {
            Drain(subscription).Select(e => e.Data).ShouldBe([1]);
            await Should.ThrowAsync<EventQueueOverflowException>(() => subscription.Reader.Completion);
        }
        _hub.SubscriberCount("chat:crowd").ShouldBe(3000);
        roomy.Concat(tight).ToList().ForEach(s => s.Dispose());
        _hub.SubscriberCount("chat:crowd").ShouldBe(0);
    }

    [Fact]
    public void ReadingFreesRoomInTheQueue()
    {
        using var subscription = _hub.Subscribe(["state:ns"], 2);

        for (var i = 0; i < 10; i++)
        {
            _hub.Publish(Event("state:ns", i));
            _hub.Publish(Event("state:ns", i));
            subscription.Reader.Count.ShouldBe(2);
            Drain(subscription).Count.ShouldBe(2);
        }

        subscription.Overflowed.IsCancellationRequested.ShouldBeFalse();
    }

    [Fact]
    public void AnEventsEncodingIsACacheThatEqualityAndCopiesLeaveOut()
    {
        var original = Event("chat:lobby", 1);
        var encodings = 0;
        var numbers = new EventEncoding("numbers", e => { encodings++; return [1, 2, (byte)e.Cursor.GetValueOrDefault()]; });
        var wrapped = new EventEncoding("wrapped", e => [0, .. e.EncodedAs(numbers), 0]);

        var bytes = original.EncodedAs(numbers);
        original.EncodedAs(numbers).ShouldBeSameAs(bytes);
        original.EncodedAs(wrapped).ShouldBe([(byte)0, 1, 2, 0, 0]);
        var copy = original with { Cursor = 5 };

        encodings.ShouldBe(1);
        original.Encodings.ShouldBe(2, "one per encoding");
        copy.Encodings.ShouldBe(0);
        copy.EncodedAs(numbers).ShouldBe([(byte)1, 2, 5]);
        (original with { }).ShouldBe(original);
        new ModelEvent("test.event", "chat:lobby", 1) { At = original.At }.ShouldBe(original);
        new ModelEvent("test.event", "chat:lobby", 1) { At = original.At }.GetHashCode().ShouldBe(original.GetHashCode());
    }

    private static List<ModelEvent> Drain(IEventSubscription subscription)
    {
        var events = new List<ModelEvent>();
        while (subscription.Reader.TryRead(out var modelEvent))
            events.Add(modelEvent);
        return events;
    }
}

/// <summary>
/// Races on the hub's topic index: subscriptions closed (by overflow or dispose) while topics are being added. They keep
/// several threads busy, so they run alone, after the parallel tests, and never slow a timing-sensitive test down.
/// </summary>
[Collection(HubStressCollection.Name)]
public sealed class InProcessEventHubStressTests
{
    private readonly InProcessEventHub _hub = new();

    private static ModelEvent Event(string topic) => InProcessEventHubTests.Event(topic);

    [Fact]
    public void ASubscriptionDroppedForOverflowWhileTopicsAreAddedLeavesNoTopicIndexed()
    {
        // Stress: three threads keep adding topics while another overflows the queue; whoever wins, nothing may stay indexed.
        const int Adders = 3;
        var leaks = new List<string>();
        for (var round = 0; round < 1000 && leaks.Count == 0; round++)
        {
            var subscription = _hub.Subscribe(["chat:full"], 1);
            _hub.Publish(Event("chat:full"));
            var added = new int[Adders];
            var published = false;
            using var start = new Barrier(Adders + 1);
            var adders = Enumerable.Range(0, Adders).Select(a => new Thread(() =>
            {
                start.SignalAndWait();
                while (!Volatile.Read(ref published))
                    subscription.Add([$"chat:r{round}-{a}-{added[a]++}"]);
            })).ToList();
            adders.ForEach(t => t.Start());
            start.SignalAndWait();
            Thread.SpinWait(round % 32 * 32);
            _hub.Publish(Event("chat:full")); // the queue is full: the subscription is closed
            Volatile.Write(ref published, true);
            adders.ForEach(t => t.Join());

            _hub.SubscriberCount("chat:full").ShouldBe(0);
            for (var a = 0; a < Adders; a++)
                leaks.AddRange(Enumerable.Range(0, added[a]).Select(i => $"chat:r{round}-{a}-{i}").Where(topic => _hub.SubscriberCount(topic) > 0));
        }

        leaks.ShouldBeEmpty("topics stay indexed for a subscription closed by overflow");
    }

    [Fact]
    public void ASteadySubscriberGetsEveryEventOnceWhileOthersComeAndGoDuringPublishing()
    {
        using var steady = _hub.Subscribe(["chat:busy"], 100_000);
        const int Publishers = 3, Each = 5000;

        var churn = new Thread(() =>
        {
            for (var i = 0; i < 3000; i++)
                _hub.Subscribe(["chat:busy"], 1).Dispose();
        });
        churn.Start();
        Parallel.For(0, Publishers, p =>
        {
            for (var i = 0; i < Each; i++)
                _hub.Publish(new ModelEvent("test.event", "chat:busy", (p, i)));
        });
        churn.Join();

        var received = new List<(int Publisher, int N)>();
        while (steady.Reader.TryRead(out var modelEvent))
            received.Add(((int, int))modelEvent.Data!);
        received.Count.ShouldBe(Publishers * Each);
        for (var p = 0; p < Publishers; p++)
            received.Where(r => r.Publisher == p).Select(r => r.N).ShouldBe(Enumerable.Range(0, Each), $"publisher {p}'s events in order");
        _hub.SubscriberCount("chat:busy").ShouldBe(1);
    }

    [Fact]
    public void SubscribersAddedAndDisposedConcurrentlyLeaveAnEmptyIndex()
    {
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var subscription = _hub.Subscribe([$"chat:r{i % 7}"], 4);
            var adder = new Thread(() => subscription.Add([$"chat:r{(i + 1) % 7}", $"chat:r{(i + 2) % 7}"]));
            adder.Start();
            subscription.Dispose();
            adder.Join();
        });

        for (var r = 0; r < 7; r++)
            _hub.SubscriberCount($"chat:r{r}").ShouldBe(0);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HubStressCollection
{
    public const string Name = "event hub stress";
}
