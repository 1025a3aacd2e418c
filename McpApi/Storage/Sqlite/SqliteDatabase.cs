using System.Diagnostics;
using McpApi.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// The SQLite file every store shares. Reads run in parallel (WAL lets readers and the writer proceed together);
/// writes go through one writer per database (<see cref="SqliteWriteQueue"/>: group commit), which applies the writes
/// waiting at the time in arrival order in one <c>BEGIN IMMEDIATE</c> transaction, so no writer ever meets
/// <c>SQLITE_BUSY</c> from this process and ids are handed out in commit order. Other processes on the same file are
/// covered by <c>busy_timeout</c>.
/// </summary>
/// <remarks>
/// Durability: <c>journal_mode=WAL</c> with <c>synchronous=FULL</c> fsyncs the WAL on every commit, so an answered
/// write survives a kill -9 and also a power cut (NORMAL would survive a process crash but could lose the last
/// commits on power loss). A write is only acknowledged after the <c>COMMIT</c> of its batch returned.
/// </remarks>
public sealed class SqliteDatabase : IDisposable, IAsyncDisposable
{
    /// <summary>Idle reader sessions kept open beyond this many are closed when returned.</summary>
    private static readonly int MaxIdleReaders = Math.Max(8, Environment.ProcessorCount * 4);

    private readonly SqliteWriteQueue _writer;
    private readonly Lazy<Task> _ready;
    private readonly string _pragmas;
    private readonly string _sessionConnectionString;
    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteSession> _readers = [];
    private int _idleReaders;
    private volatile bool _disposed;
    private readonly ILogger<SqliteDatabase> _logger;
    private readonly string? _folder;
    private readonly SqliteFileGuard _fileGuard;

    public SqliteDatabase(IOptions<SqliteStorageOptions> options, IHostEnvironment environment, ILogger<SqliteDatabase> logger)
    {
        _logger = logger;
        var builder = new SqliteConnectionStringBuilder(options.Value.ConnectionString);
        var inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource == ":memory:";
        if (!inMemory && !builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            builder.DataSource = Path.GetFullPath(builder.DataSource, environment.ContentRootPath);
            _folder = Path.GetDirectoryName(builder.DataSource);
        }
        builder.Pooling = true;
        builder.DefaultTimeout = Math.Max(1, options.Value.BusyTimeoutMilliseconds / 1000);
        ConnectionString = builder.ToString();
        DataSource = builder.DataSource;
        // Sessions are this class's own pool: closing one must really close it (and roll back what it left open).
        builder.Pooling = false;
        _sessionConnectionString = builder.ToString();
        _fileGuard = new SqliteFileGuard(inMemory || builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? null : DataSource, logger);
        _pragmas = $"PRAGMA busy_timeout = {options.Value.BusyTimeoutMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
        _ready = new Lazy<Task>(CreateAsync);
        _writer = new SqliteWriteQueue(OpenSession, Unavailable, options.Value.WriteBatchMaxSize,
            TimeSpan.FromMilliseconds(options.Value.WriteBatchMaxWaitMilliseconds), logger);
    }

    public string ConnectionString { get; }

    /// <summary>The database file's full path.</summary>
    public string DataSource { get; }

    /// <summary>Write batches applied a second time, each write in a savepoint, because one of their writes threw.</summary>
    internal long WriteBatchesAppliedAgain => _writer.BatchesAppliedAgain;

    /// <summary>Notices the database file being deleted or replaced while the server runs.</summary>
    internal SqliteFileGuard FileGuard => _fileGuard;

    /// <summary>Creates or migrates the schema once; every other call waits for that first run.</summary>
    public Task EnsureReadyAsync() => _ready.Value;

    /// <summary>Creates the file's folder, then the schema: a folder that cannot be created fails here, at start-up, not in DI.</summary>
    private async Task CreateAsync()
    {
        if (_folder is not null)
            Directory.CreateDirectory(_folder);
        await SqliteMigrations.ApplyAsync(this, _logger, CancellationToken.None);
        _fileGuard.Remember();
    }

    /// <summary>Opens a pooled connection with this database's per-connection settings, without waiting for migrations.</summary>
    internal async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a connection of this class's own pool with this database's per-connection settings, run once.</summary>
    private SqliteSession OpenSession()
    {
        var connection = new SqliteConnection(_sessionConnectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on a pooled reader session (opened and set up once, statements prepared once).
    /// Reads run in parallel with each other and with the writer (WAL); each statement sees the last commit.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<SqliteSession, T> read, CancellationToken cancellationToken)
    {
        var ready = EnsureReadyAsync();
        if (!ready.IsCompletedSuccessfully)
            return ReadWhenReadyAsync(ready, read, cancellationToken);
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        try
        {
            return Task.FromResult(Read(read));
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    private async Task<T> ReadWhenReadyAsync<T>(Task ready, Func<SqliteSession, T> read, CancellationToken cancellationToken)
    {
        await ready;
        cancellationToken.ThrowIfCancellationRequested();
        return Read(read);
    }

    private T Read<T>(Func<SqliteSession, T> read)
    {
        _fileGuard.ThrowIfLost();
        SqliteSession? session = null;
        try
        {
            if (_readers.TryTake(out session))
                Interlocked.Decrement(ref _idleReaders);
            else
                session = OpenSession();
            var result = read(session);
            ReturnReader(session);
            return result;
        }
        catch (SqliteException ex)
        {
            session?.Dispose();
            if (Unavailable(ex) is { } reason)
                throw new StorageUnavailableException(reason, ex);
            throw;
        }
        catch
        {
            session?.Dispose();
            throw;
        }
    }

    private void ReturnReader(SqliteSession session)
    {
        if (!_disposed && Interlocked.Increment(ref _idleReaders) <= MaxIdleReaders)
        {
            _readers.Add(session);
            return;
        }
        Interlocked.Decrement(ref _idleReaders);
        session.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="write"/> in the next batch of the writer, in its own savepoint of that batch's
    /// <c>BEGIN IMMEDIATE</c> transaction, after the writes queued before it (whose changes it sees). Returns after the
    /// batch's <c>COMMIT</c> returned and <paramref name="committed"/> ran (after-commit actions run in commit order).
    /// An exception from <paramref name="write"/> rolls back that write alone and is thrown to this caller.
    /// Cancelled while still queued: not applied. Cancelled once the writer has taken it: applied, committed, logged.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteSession, T> write, Action<T>? committed, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync();
        _fileGuard.ThrowIfLost();
        var result = await _writer.EnqueueAsync(write, committed, cancellationToken);
        // Not acknowledged when the file it went to is no longer the database at the path (see SqliteFileGuard).
        _fileGuard.ThrowIfLost();
        return result;
    }

    /// <summary>What keeps the database from being used, for the errors a caller cannot fix (null for the others).</summary>
    internal static string? Unavailable(SqliteException ex) => ex.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED =>
            "The database is locked by another process and stayed locked for longer than Storage:BusyTimeoutMilliseconds; nothing was written. Retry shortly.",
        SQLitePCL.raw.SQLITE_READONLY => "The database is read-only (file or folder permissions, or a read-only disk); nothing was written.",
        SQLitePCL.raw.SQLITE_FULL => "The disk holding the database is full; nothing was written.",
        SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_PERM =>
            "The database file could not be read or written (an I/O or permission error); nothing was written.",
        _ => null,
    };

    /// <summary>Lets the writer finish the writes already queued, then closes its connection and the idle readers.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _writer.DisposeAsync();
        while (_readers.TryTake(out var session))
            session.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
