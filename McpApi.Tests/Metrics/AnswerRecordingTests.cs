using System.Diagnostics;
using System.Diagnostics.Metrics;
using McpApi.Metrics;

namespace McpApi.Tests.Metrics;

/// <summary>
/// mcpapi.handler.duration is recorded in batches on the thread that answered (recorded one by one, both cores wrote the
/// histogram's shared state for every envelope: ~5% of the envelope benchmark's CPU time), and still every envelope
/// answered before a collection is in it. Alone in its collection: a scrape by another test records every thread's answers.
/// </summary>
[Collection(AnswerRecordingCollection.Name)]
public sealed class AnswerRecordingTests
{
    private readonly string _door = "test-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void AnswersAreKeptOnTheirThreadAndEveryOneIsInTheNextCollection()
    {
        using var listener = Listen(out var recorded);

        OnNewThread(() =>
        {
            McpApiMetrics.RequestCompleted(_door, "echo", "echo", 200, Stopwatch.GetTimestamp());
            McpApiMetrics.RequestCompleted(_door, "notes", "add", 422, Stopwatch.GetTimestamp());
            McpApiMetrics.RequestCompleted(_door, "unknown", "unknown", 404, Stopwatch.GetTimestamp());
            Count(recorded).ShouldBe(0, "recorded one by one, as they were answered");
        });
        listener.RecordObservableInstruments();

        Labels(recorded).ShouldBe(["echo/echo/200", "notes/add/422", "unknown/unknown/404"], ignoreOrder: true);
        lock (recorded)
            recorded.ShouldAllBe(m => m.Seconds >= 0 && m.Seconds < 60);
    }

    [Fact]
    public void AFullBatchIsRecordedWithoutWaitingForACollection()
    {
        using var listener = Listen(out var recorded);

        OnNewThread(() =>
        {
            for (var i = 0; i < 64; i++)
                McpApiMetrics.RequestCompleted(_door, "echo", "echo", 200, Stopwatch.GetTimestamp());
            Count(recorded).ShouldBe(64);
            McpApiMetrics.RequestCompleted(_door, "echo", "echo", 200, Stopwatch.GetTimestamp());
            Count(recorded).ShouldBe(64);
        });
        listener.RecordObservableInstruments();

        Count(recorded).ShouldBe(65);
    }

    [Fact]
    public void AnswersOfAThreadThatHasEndedAreInTheNextCollectionOnce()
    {
        using var listener = Listen(out var recorded);

        OnNewThread(() =>
        {
            for (var i = 0; i < 5; i++)
                McpApiMetrics.RequestCompleted(_door, "state", "set", 200, Stopwatch.GetTimestamp());
        });
        listener.RecordObservableInstruments();
        listener.RecordObservableInstruments();

        Labels(recorded).ShouldBe(Enumerable.Repeat("state/set/200", 5));
    }

    [Fact]
    public void AThreadThatEndedIsRecordedAndForgottenWhenAnotherStartsAnsweringThoughNothingCollects()
    {
        // Metrics on and nothing scraping: threads come and go, and what the ended ones kept must not pile up.
        using var listener = Listen(out var recorded);

        OnNewThread(() =>
        {
            for (var i = 0; i < 5; i++)
                McpApiMetrics.RequestCompleted(_door, "notes", "add", 200, Stopwatch.GetTimestamp());
        });
        OnNewThread(() => McpApiMetrics.RequestCompleted(_door, "echo", "echo", 200, Stopwatch.GetTimestamp()));

        Labels(recorded).ShouldBe(Enumerable.Repeat("notes/add/200", 5));
        listener.RecordObservableInstruments();
        Count(recorded).ShouldBe(6);
    }

    [Fact]
    public void AListenerThatThrowsLosesOneBatchNotEveryLaterAnswer()
    {
        using var listener = Listen(out var recorded, throwOnFirst: true);

        OnNewThread(() =>
        {
            var first = Should.Throw<InvalidOperationException>(() =>
            {
                for (var i = 0; i < 64; i++)
                    McpApiMetrics.RequestCompleted(_door, "echo", "echo", 200, Stopwatch.GetTimestamp());
            });
            first.Message.ShouldBe("a listener's own failure");
            for (var i = 0; i < 64; i++)
                McpApiMetrics.RequestCompleted(_door, "echo", "echo", 200, Stopwatch.GetTimestamp());
        });

        Count(recorded).ShouldBe(64);
    }

    [Fact]
    public void CollectionsWhileThreadsAnswerNeitherLoseNorRepeatAnAnswer()
    {
        using var listener = Listen(out var recorded);
        const int threads = 4, answersEach = 10_000;
        var answering = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < answersEach; i++)
                McpApiMetrics.RequestCompleted(_door, "echo", "echo", 200, Stopwatch.GetTimestamp());
        })).ToList();

        answering.ForEach(thread => thread.Start());
        var collections = 0;
        while (answering.Any(thread => thread.IsAlive) && collections < 100_000)
        {
            listener.RecordObservableInstruments();
            collections++;
        }
        answering.ForEach(thread => thread.Join());
        listener.RecordObservableInstruments();

        Count(recorded).ShouldBe(threads * answersEach, $"after {collections} collections while the threads answered");
    }

    private MeterListener Listen(out List<(double Seconds, string Labels)> recorded, bool throwOnFirst = false)
    {
        var measurements = recorded = [];
        var thrown = !throwOnFirst;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == McpApiMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name != "mcpapi.handler.duration")
                return;
            var labels = new Dictionary<string, object?>();
            foreach (var tag in tags)
                labels[tag.Key] = tag.Value;
            if (!Equals(labels["door"], _door))
                return;
            if (!thrown)
            {
                thrown = true;
                throw new InvalidOperationException("a listener's own failure");
            }
            lock (measurements)
                measurements.Add((value, $"{labels["model"]}/{labels["action"]}/{labels["status"]}"));
        });
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => { });
        listener.Start();
        return listener;
    }

    private static int Count(List<(double Seconds, string Labels)> recorded)
    {
        lock (recorded)
            return recorded.Count;
    }

    private static string[] Labels(List<(double Seconds, string Labels)> recorded)
    {
        lock (recorded)
            return [.. recorded.Select(m => m.Labels)];
    }

    /// <summary>Runs <paramref name="body"/> on a thread of its own (no answers kept from before) and rethrows its failure.</summary>
    private static void OnNewThread(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new Xunit.Sdk.XunitException($"on the answering thread: {failure.Message}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AnswerRecordingCollection
{
    public const string Name = "answer recording";
}
