using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using McpApi.Metrics;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// Group commit: the one writer of a database. A write that finds nobody writing is applied and committed at once on
/// its caller's thread (no thread switch, no wait); writes that arrive while a batch is being applied wait in a queue,
/// which the writer thread drains. Whoever writes takes the writes that are waiting
/// (up to <see cref="SqliteStorageOptions.WriteBatchMaxSize"/>, waiting at most
/// <see cref="SqliteStorageOptions.WriteBatchMaxWaitMilliseconds"/> for more, 0 by default so a lone write never waits),
/// applies them in arrival order inside one <c>BEGIN IMMEDIATE</c> transaction, and commits once: one fsync for the
/// whole batch. A write that throws (a domain error, a constraint) is rolled back alone and its caller gets the
/// exception; a later write in the batch sees the earlier ones. Writes are applied without savepoints first (two
/// statements fewer per write); a batch in which one throws is rolled back and applied again with a savepoint per
/// write, so only savepoints ever undo a single write.
/// After <c>COMMIT</c> returns, the writes' after-commit actions run in commit order, and only then are the callers
/// answered. When the transaction as a whole fails (begin, commit, or an I/O error that ends it) nothing of the batch
/// was written and every caller in it gets that error.
/// </summary>
/// <remarks>
/// Cancellation: a write whose caller cancels while it is still queued is not applied (the caller gets
/// <see cref="OperationCanceledException"/>). Once the writer has taken it, it is applied and committed regardless,
/// and a cancellation that arrived meanwhile is logged. Never half-applied either way: the savepoint and the
/// transaction make each write all-or-nothing.
/// </remarks>
internal sealed partial class SqliteWriteQueue : IAsyncDisposable
{
    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    private readonly ManualResetEventSlim _waiting = new(false);
    private readonly Func<SqliteSession> _open;
    private readonly Func<SqliteException, string?> _unavailable;
    private readonly int _maxBatch;
    private readonly TimeSpan _maxWait;
    private readonly ILogger _logger;
    private readonly Thread _writer;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PendingWrite> _batch = [];
    private volatile bool _closing;
    private int _active;
    private long _appliedAgain;
    private SqliteSession? _session;

    public SqliteWriteQueue(Func<SqliteSession> open, Func<SqliteException, string?> unavailable,
        int maxBatch, TimeSpan maxWait, ILogger logger)
    {
        _open = open;
        _unavailable = unavailable;
        _maxBatch = maxBatch;
        _maxWait = maxWait;
        _logger = logger;
        // A thread of its own, not a thread-pool worker: the writer spends most of its time blocked in fsync, and on a
        // small machine a pool worker blocked like that is one less for the requests that feed it.
        _writer = new Thread(Run) { IsBackground = true, Name = "SQLite writer" };
        _writer.Start();
    }

    /// <summary>Batches of more than one write that were rolled back and applied again in savepoints (one of them threw).</summary>
    internal long BatchesAppliedAgain => Interlocked.Read(ref _appliedAgain);

    public Task<T> EnqueueAsync<T>(Func<SqliteSession, T> write, Action<T>? committed, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_closing)
            throw new ObjectDisposedException(nameof(SqliteDatabase), "The database is shutting down; nothing was written.");
        var pending = new PendingWrite<T>(write, committed, cancellationToken);
        pending.WatchCancellation();
        _queue.Enqueue(pending);
        if (_maxWait == TimeSpan.Zero && TryBecomeWriter())
        {
            // Nobody is writing: this caller applies what is queued (its own write, and any that came with it) and
            // commits on its own thread, so a lone write costs no thread switch. Writes arriving meanwhile queue up
            // and are left to the writer thread.
            try
            {
                Take(_batch);
                if (_batch.Count > 0)
                    Apply(_batch);
            }
            finally
            {
                _batch.Clear();
                ReleaseWriter();
            }
        }
        else
        {
            _waiting.Set();
        }
        return pending.Task;
    }

    /// <summary>One batch at a time: the writer thread or a caller writing inline holds this while it applies one.</summary>
    private bool TryBecomeWriter() => Interlocked.CompareExchange(ref _active, 1, 0) == 0;

    private void ReleaseWriter()
    {
        Volatile.Write(ref _active, 0);
        if (!_queue.IsEmpty)
            _waiting.Set();
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _waiting.Wait();
                // Reset before draining: a write queued after the reset sets the event again, one queued before is drained now.
                _waiting.Reset();
                while (!_queue.IsEmpty && TryBecomeWriter())
                {
                    try
                    {
                        Take(_batch);
                        if (_batch.Count > 0 && _batch.Count < _maxBatch && _maxWait > TimeSpan.Zero)
                            WaitForMore(_batch);
                        if (_batch.Count > 0)
                            Apply(_batch);
                    }
                    finally
                    {
                        _batch.Clear();
                        Volatile.Write(ref _active, 0);
                    }
                }
                if (_closing && _queue.IsEmpty)
                    break;
            }
            // Wait for a caller still writing inline, then keep the writer role for good.
            var spin = new SpinWait();
            while (!TryBecomeWriter())
                spin.SpinOnce();
            // A write that raced with shutdown is answered, not left waiting.
            while (_queue.TryDequeue(out var late))
            {
                if (late.TryTake())
                    late.Fail(new ObjectDisposedException(nameof(SqliteDatabase), "The database is shutting down; nothing was written."));
            }
            _session?.Dispose();
            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            _stopped.TrySetException(ex);
        }
    }

    /// <summary>Moves the waiting writes into the batch, skipping those cancelled while queued.</summary>
    private void Take(List<PendingWrite> batch)
    {
        while (batch.Count < _maxBatch && _queue.TryDequeue(out var write))
        {
            if (write.TryTake())
                batch.Add(write);
        }
    }

    private void WaitForMore(List<PendingWrite> batch)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_maxWait.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < _maxBatch && !_closing)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
                return;
            _waiting.Reset();
            if (_queue.IsEmpty && !_waiting.Wait(left))
                return;
            Take(batch);
        }
    }

    private void Apply(List<PendingWrite> batch)
    {
        PendingWrite? rollingBack = null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var session = _session ??= _open();
            var transaction = Begin(session);
            // First without savepoints: a batch of one needs none (the transaction is the write's own), and in a larger
            // batch most writes do not throw. When one does, its statements may be half done and only a savepoint could
            // undo them alone, so nothing of the batch is kept: it is rolled back and applied again, each write in its
            // own savepoint. Either way a write that throws is rolled back alone and later ones see the earlier ones.
            if (ApplyAll(session, batch) is { } failed)
            {
                rollingBack = failed;
                transaction.Rollback();
                transaction.Dispose();
                rollingBack = null;
                if (batch.Count > 1)
                {
                    Interlocked.Increment(ref _appliedAgain);
                    transaction = Begin(session);
                    ApplyInSavepoints(session, batch, ref rollingBack);
                    transaction.Commit();
                }
            }
            else
            {
                transaction.Commit();
            }
            session.Transaction = null;
            transaction.Dispose();
            McpApiMetrics.StorageCommitted(batch.Count, started);
        }
        catch (Exception ex)
        {
            // Nothing of this batch is stored (the answers of writes that failed on their own may rest on rolled-back
            // writes, so they get the batch's error too); a connection that failed this way is not trusted again:
            // closing it rolls back whatever is left of the transaction.
            // Logged before any caller is answered, so the log line is there by the time a caller sees the error.
            LogBatchFailed(_logger, batch.Count, ex);
            var cause = rollingBack?.Error ?? ex;
            var reason = cause is SqliteException sqlite ? _unavailable(sqlite) : null;
            _session?.Dispose();
            _session = null;
            foreach (var write in batch)
                write.Fail(reason is null ? cause : new StorageUnavailableException(reason, cause));
            return;
        }

        foreach (var write in batch)
            write.Complete(_logger);
    }

    private static SqliteTransaction Begin(SqliteSession session)
    {
        var transaction = session.Connection.BeginTransaction(deferred: false);
        session.Transaction = transaction;
        return transaction;
    }

    /// <summary>Applies the writes one after the other; the first that throws, or null when none did.</summary>
    private static PendingWrite? ApplyAll(SqliteSession session, List<PendingWrite> batch)
    {
        foreach (var write in batch)
        {
            if (!write.Apply(session))
                return write;
        }
        return null;
    }

    private static void ApplyInSavepoints(SqliteSession session, List<PendingWrite> batch, ref PendingWrite? rollingBack)
    {
        foreach (var write in batch)
        {
            session.Command("SAVEPOINT write;").ExecuteNonQuery();
            if (write.Apply(session))
            {
                session.Command("RELEASE write;").ExecuteNonQuery();
            }
            else
            {
                // Throws when the failure ended the whole transaction (SQLite rolls back on some I/O errors).
                rollingBack = write;
                session.Command("ROLLBACK TO write;").ExecuteNonQuery();
                session.Command("RELEASE write;").ExecuteNonQuery();
                rollingBack = null;
            }
        }
    }

    /// <summary>Takes no more writes, lets the writer apply those already queued, then closes its connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _closing = true;
        _waiting.Set();
        await _stopped.Task;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "An after-commit action failed; the write itself was committed")]
    private static partial void LogAfterCommitFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "A write was applied and committed although its request was cancelled after the writer had taken it")]
    private static partial void LogAppliedAfterCancellation(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} write(s) failed as a whole; none of them was stored")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    private abstract class PendingWrite
    {
        private const int Queued = 0, Taken = 1, Cancelled = 2;
        private int _state;

        /// <summary>The exception the write's own code threw (its savepoint was rolled back), if any.</summary>
        public Exception? Error { get; protected set; }

        /// <summary>True when the writer got the write before its caller cancelled; from then on it is applied.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        protected bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued;

        /// <summary>Runs the write inside its savepoint; false when it threw (kept in <see cref="Error"/>).</summary>
        public abstract bool Apply(SqliteSession session);

        /// <summary>After the commit: runs the after-commit action and answers the caller.</summary>
        public abstract void Complete(ILogger logger);

        public abstract void Fail(Exception exception);

        protected static void AfterCommit<T>(Action<T>? committed, T result, ILogger logger)
        {
            if (committed is null)
                return;
            try
            {
                committed(result);
            }
            catch (Exception ex)
            {
                LogAfterCommitFailed(logger, ex);
            }
        }

        protected static void LogCancelledButApplied(ILogger logger) => LogAppliedAfterCancellation(logger);
    }

    private sealed class PendingWrite<T>(Func<SqliteSession, T> write, Action<T>? committed, CancellationToken cancellationToken)
        : PendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenRegistration _registration;
        private T? _result;

        public Task<T> Task => _completion.Task;

        public void WatchCancellation()
        {
            if (cancellationToken.CanBeCanceled)
                _registration = cancellationToken.Register(static state => ((PendingWrite<T>)state!).CancelIfQueued(), this);
        }

        private void CancelIfQueued()
        {
            if (TryCancel())
                _completion.TrySetCanceled(cancellationToken);
        }

        public override bool Apply(SqliteSession session)
        {
            // A batch applied again (see SqliteWriteQueue.Apply) runs every write again: nothing of the first try counts.
            Error = null;
            try
            {
                _result = write(session);
                return true;
            }
            catch (Exception ex)
            {
                Error = ex;
                return false;
            }
        }

        public override void Complete(ILogger logger)
        {
            _registration.Dispose();
            if (Error is not null)
            {
                _completion.TrySetException(Error);
                return;
            }
            if (cancellationToken.IsCancellationRequested)
                LogCancelledButApplied(logger);
            AfterCommit(committed, _result!, logger);
            _completion.TrySetResult(_result!);
        }

        public override void Fail(Exception exception)
        {
            _registration.Dispose();
            _completion.TrySetException(exception);
        }
    }
}
