using Dapper;
using McpApi.Storage.Sqlite;
using McpApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace McpApi.Tests.Storage;

/// <summary>
/// The writer of <see cref="SqliteDatabase"/>: writes queued behind a running batch share the next transaction and its
/// one commit. A first write that waits on a gate holds the writer, so the writes queued meanwhile form one batch
/// without any reliance on timing.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly RecordingLogger _logger = new();
    private SqliteTestDatabase _test = null!;

    private SqliteDatabase Database => _test.Database;

    public async Task InitializeAsync() => _test = await SqliteTestDatabase.CreateAsync("group.db", _logger);

    async Task IAsyncLifetime.DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task WritesQueuedTogetherShareOneCommitAndAFailingOneIsRolledBackAlone()
    {
        var (gate, held) = await HoldTheWriterAsync();
        var order = new List<string>();
        string[]? visibleAtFirstAnswer = null;

        var first = Database.WriteAsync(s => Insert(s, "one"), _ =>
        {
            order.Add("one");
            visibleAtFirstAnswer = StoredTexts();
        }, CancellationToken.None);
        var failing = Database.WriteAsync<long>(s =>
        {
            Insert(s, "two");
            throw new InvalidOperationException("the rule of write two");
        }, _ => order.Add("two"), CancellationToken.None);
        var third = Database.WriteAsync(s =>
        {
            Insert(s, "three");
            return s.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM notes WHERE text IN ('one', 'two');", transaction: s.Transaction);
        }, _ => order.Add("three"), CancellationToken.None);
        gate.SetResult();
        await held;

        (await Should.ThrowAsync<InvalidOperationException>(failing)).Message.ShouldBe("the rule of write two");
        await first;
        (await third).ShouldBe(1, "the third write sees the first one (same transaction) and not the rolled-back second");
        order.ShouldBe(["one", "three"]);
        visibleAtFirstAnswer.ShouldBe(["gate", "one", "three"], "the first write's after-commit action runs after the commit that also holds the third");
        StoredTexts().ShouldBe(["gate", "one", "three"]);
    }

    [Fact]
    public async Task WhenABatchFailsAsAWholeNoneOfItsWritesIsStoredAndEveryCallerGetsTheError()
    {
        var (gate, held) = await HoldTheWriterAsync();
        var committed = new List<string>();

        var first = Database.WriteAsync(s => Insert(s, "one"), _ => committed.Add("one"), CancellationToken.None);
        // Ends the batch's transaction behind the writer's back: the writer cannot release this write's savepoint.
        var breaking = Database.WriteAsync(s =>
        {
            Insert(s, "two");
            using var rollback = s.Connection.CreateCommand();
            rollback.Transaction = s.Transaction;
            rollback.CommandText = "ROLLBACK;";
            return rollback.ExecuteNonQuery();
        }, _ => committed.Add("two"), CancellationToken.None);
        var third = Database.WriteAsync(s => Insert(s, "three"), _ => committed.Add("three"), CancellationToken.None);
        gate.SetResult();
        await held;

        // Microsoft.Data.Sqlite refuses the next statement of a transaction that SQLite has ended.
        var error = await Should.ThrowAsync<InvalidOperationException>(first);
        (await Should.ThrowAsync<InvalidOperationException>(breaking)).ShouldBeSameAs(error, "every caller in the batch gets the batch's error");
        (await Should.ThrowAsync<InvalidOperationException>(third)).ShouldBeSameAs(error);
        committed.ShouldBeEmpty("no after-commit action runs for a batch that was not committed");
        StoredTexts().ShouldBe(["gate"], "nothing of the failed batch is stored, not even the write that came before the failure");
        _logger.Messages.ShouldContain(m => m.Contains("A batch of 3 write(s) failed as a whole"));

        await Database.WriteAsync(s => Insert(s, "after"), null, CancellationToken.None);
        StoredTexts().ShouldBe(["gate", "after"], "the writer opens a fresh connection and goes on");
    }

    [Fact]
    public async Task ALoneWriteThatFailsLeavesNothingBehindAndTheNextWriteIsCommitted()
    {
        var failing = Database.WriteAsync<long>(s =>
        {
            Insert(s, "doomed");
            throw new InvalidOperationException("the rule of the lone write");
        }, _ => throw new InvalidOperationException("not committed, so never called"), CancellationToken.None);

        (await Should.ThrowAsync<InvalidOperationException>(failing)).Message.ShouldBe("the rule of the lone write");
        StoredTexts().ShouldBeEmpty();
        await Database.WriteAsync(s => Insert(s, "next"), null, CancellationToken.None);
        StoredTexts().ShouldBe(["next"]);
        _logger.Messages.ShouldNotContain(m => m.Contains("failed as a whole"), "one write's own error is not the batch's");
    }

    [Fact]
    public async Task AWriteCancelledWhileQueuedIsNotApplied()
    {
        var (gate, held) = await HoldTheWriterAsync();
        using var cancel = new CancellationTokenSource();
        var committed = false;

        var queued = Database.WriteAsync(s => Insert(s, "cancelled"), _ => committed = true, cancel.Token);
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(queued);
        gate.SetResult();
        await held;
        await Database.WriteAsync(s => Insert(s, "after"), null, CancellationToken.None);

        committed.ShouldBeFalse();
        StoredTexts().ShouldBe(["gate", "after"]);
    }

    [Fact]
    public async Task AWriteCancelledAfterTheWriterTookItIsAppliedCommittedAndLogged()
    {
        using var cancel = new CancellationTokenSource();
        var committed = false;

        var id = await Database.WriteAsync(s =>
        {
            cancel.Cancel();
            return Insert(s, "taken");
        }, _ => committed = true, cancel.Token);

        id.ShouldBeGreaterThan(0);
        committed.ShouldBeTrue();
        StoredTexts().ShouldBe(["taken"]);
        _logger.Messages.ShouldContain(m => m.Contains("applied and committed although its request was cancelled"));
    }

    [Fact]
    public async Task WithBatchesOfOneEveryWriteIsItsOwnCommit()
    {
        await _test.ReopenAsync(new SqliteStorageOptions { WriteBatchMaxSize = 1 });
        var (gate, held) = await HoldTheWriterAsync();
        string[]? visibleAtFirstAnswer = null;

        var first = Database.WriteAsync(s => Insert(s, "one"), _ => visibleAtFirstAnswer = StoredTexts(), CancellationToken.None);
        var second = Database.WriteAsync(s => Insert(s, "two"), null, CancellationToken.None);
        gate.SetResult();
        await Task.WhenAll(held, first, second);

        visibleAtFirstAnswer.ShouldBe(["gate", "one"]);
        StoredTexts().ShouldBe(["gate", "one", "two"]);
    }

    [Fact]
    public async Task ALoneWriteIsAppliedAndCommittedOnItsCallersThread()
    {
        var caller = Environment.CurrentManagedThreadId;
        int? applier = null, committer = null;

        var write = Database.WriteAsync(s =>
        {
            applier = Environment.CurrentManagedThreadId;
            return Insert(s, "lone");
        }, _ => committer = Environment.CurrentManagedThreadId, CancellationToken.None);

        write.IsCompletedSuccessfully.ShouldBeTrue("nothing else was writing, so the write was committed before WriteAsync returned");
        await write;
        applier.ShouldBe(caller);
        committer.ShouldBe(caller);
        StoredTexts().ShouldBe(["lone"]);
    }

    [Fact]
    public async Task WithAMaxWaitTheWriterWaitsForMoreWritesUntilTheBatchIsFull()
    {
        await _test.ReopenAsync(new SqliteStorageOptions { WriteBatchMaxSize = 2, WriteBatchMaxWaitMilliseconds = 1000 });
        string[]? visibleAtFirstAnswer = null;

        // The writer takes the first write at once, then waits (up to 1 s) for a second: the batch is full when it comes.
        var first = Database.WriteAsync(s => Insert(s, "one"), _ => visibleAtFirstAnswer = StoredTexts(), CancellationToken.None);
        var second = Database.WriteAsync(s => Insert(s, "two"), null, CancellationToken.None);
        await Task.WhenAll(first, second);

        visibleAtFirstAnswer.ShouldBe(["one", "two"]);
    }

    [Theory]
    [InlineData(0, 0, "Storage:WriteBatchMaxSize")]
    [InlineData(10_001, 0, "Storage:WriteBatchMaxSize")]
    [InlineData(128, -1, "Storage:WriteBatchMaxWaitMilliseconds")]
    [InlineData(128, 1001, "Storage:WriteBatchMaxWaitMilliseconds")]
    public void BadGroupCommitSettingsAreRejectedWithTheSettingAndTheFix(int maxSize, int maxWait, string expected)
    {
        var result = new SqliteStorageOptionsValidator().Validate(null,
            new SqliteStorageOptions { WriteBatchMaxSize = maxSize, WriteBatchMaxWaitMilliseconds = maxWait });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(expected);
        result.FailureMessage.ShouldContain("set it between");
    }

    [Fact]
    public void TheDefaultsCommitALoneWriteAtOnce()
    {
        var options = new SqliteStorageOptions();

        options.WriteBatchMaxWaitMilliseconds.ShouldBe(0);
        options.WriteBatchMaxSize.ShouldBeGreaterThan(1);
        new SqliteStorageOptionsValidator().Validate(null, options).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task ABatchInWhichNoWriteThrowsIsAppliedOnceWithoutSavepoints()
    {
        var (gate, held) = await HoldTheWriterAsync();
        // A write inside a savepoint named "write" could release it; without one, SQLite answers "no such savepoint".
        var probes = Enumerable.Range(1, 4).Select(i => Database.WriteAsync(s =>
        {
            Insert(s, $"w{i}");
            var inSavepoint = true;
            try
            {
                using var probe = s.Connection.CreateCommand();
                probe.Transaction = s.Transaction;
                probe.CommandText = "RELEASE write;";
                probe.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (ex.Message.Contains("no such savepoint"))
            {
                inSavepoint = false;
            }
            return inSavepoint;
        }, null, CancellationToken.None)).ToArray();
        gate.SetResult();
        await held;

        (await Task.WhenAll(probes)).ShouldAllBe(inSavepoint => !inSavepoint);
        Database.WriteBatchesAppliedAgain.ShouldBe(0);
        StoredTexts().ShouldBe(["gate", "w1", "w2", "w3", "w4"]);
    }

    [Fact]
    public async Task ABatchInWhichAWriteThrowsHalfwayIsAppliedAgainInSavepointsAndOnlyThatWriteIsUndone()
    {
        var (gate, held) = await HoldTheWriterAsync();
        var runs = new int[3];
        var first = Database.WriteAsync(s => { runs[0]++; return Insert(s, "one"); }, null, CancellationToken.None);
        var halfway = Database.WriteAsync<long>(s =>
        {
            runs[1]++;
            Insert(s, "two");
            throw new InvalidOperationException("after its insert");
        }, null, CancellationToken.None);
        var third = Database.WriteAsync(s => { runs[2]++; return Insert(s, "three"); }, null, CancellationToken.None);
        gate.SetResult();
        await held;

        await first;
        (await Should.ThrowAsync<InvalidOperationException>(halfway)).Message.ShouldBe("after its insert");
        await third;
        StoredTexts().ShouldBe(["gate", "one", "three"]);
        Database.WriteBatchesAppliedAgain.ShouldBe(1);
        runs.ShouldBe([2, 2, 1], "the batch ran without savepoints up to the failure, then again with them");
    }

    /// <summary>Holds the writer with a write that inserts "gate" (<see cref="SqliteDatabaseTestExtensions.HoldTheWriterAsync"/>).</summary>
    private Task<(TaskCompletionSource Gate, Task Held)> HoldTheWriterAsync() => Database.HoldTheWriterAsync(s => Insert(s, "gate"));

    private static long Insert(SqliteSession session, string text) =>
        session.Connection.ExecuteScalar<long>("INSERT INTO notes (notebook, text, created_at) VALUES ('batch', @text, 0) RETURNING id;", new { text }, session.Transaction);

    /// <summary>What another connection sees: committed rows only.</summary>
    private string[] StoredTexts()
    {
        using var connection = _test.OpenConnection();
        return [.. connection.Query<string>("SELECT text FROM notes ORDER BY id;")];
    }

    private sealed class RecordingLogger : ILogger<SqliteDatabase>
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get { lock (_messages) return [.. _messages]; }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages) _messages.Add(formatter(state, exception));
        }
    }
}
