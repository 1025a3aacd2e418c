using System.Diagnostics;
using McpApi.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// The SQLite file every store shares. Reads run in parallel (WAL lets readers and the writer proceed together);
/// writes go one at a time through an in-process lock and a <c>BEGIN IMMEDIATE</c> transaction, so no writer ever
/// meets <c>SQLITE_BUSY</c> from this process and ids are handed out in commit order. Other processes on the same
/// file are covered by <c>busy_timeout</c>.
/// </summary>
/// <remarks>
/// Durability: <c>journal_mode=WAL</c> with <c>synchronous=FULL</c> fsyncs the WAL on every commit, so an answered
/// write survives a kill -9 and also a power cut (NORMAL would survive a process crash but could lose the last
/// commits on power loss). A write is only acknowledged after <c>COMMIT</c> returns.
/// </remarks>
public sealed partial class SqliteDatabase : IDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lazy<Task> _ready;
    private readonly string _pragmas;
    private readonly ILogger<SqliteDatabase> _logger;
    private readonly string? _folder;

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
        _pragmas = $"PRAGMA busy_timeout = {options.Value.BusyTimeoutMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
        _ready = new Lazy<Task>(CreateAsync);
    }

    public string ConnectionString { get; }

    /// <summary>The database file's full path.</summary>
    public string DataSource { get; }

    /// <summary>Creates or migrates the schema once; every other call waits for that first run.</summary>
    public Task EnsureReadyAsync() => _ready.Value;

    /// <summary>Creates the file's folder, then the schema: a folder that cannot be created fails here, at start-up, not in DI.</summary>
    private async Task CreateAsync()
    {
        if (_folder is not null)
            Directory.CreateDirectory(_folder);
        await SqliteMigrations.ApplyAsync(this, _logger, CancellationToken.None);
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

    public async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync();
        try
        {
            await using var connection = await OpenRawAsync(cancellationToken);
            return await read(connection);
        }
        catch (SqliteException ex) when (Unavailable(ex) is { } reason)
        {
            throw new StorageUnavailableException(reason, ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> in its own <c>BEGIN IMMEDIATE</c> transaction, alone among this process's writers,
    /// commits, then runs <paramref name="committed"/> while still holding the write lock (so events leave in commit order).
    /// An exception from <paramref name="write"/> rolls everything back.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, Action<T>? committed, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync();
        var started = Stopwatch.GetTimestamp();
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenRawAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await write(connection, transaction);
            // From here on the write is committed: the caller's cancellation no longer applies.
            await transaction.CommitAsync(CancellationToken.None);
            McpApiMetrics.StorageCommitted(writes: 1, started);
            if (committed is not null)
            {
                try
                {
                    committed(result);
                }
                catch (Exception ex)
                {
                    LogAfterCommitFailed(_logger, ex);
                }
            }
            return result;
        }
        catch (SqliteException ex) when (Unavailable(ex) is { } reason)
        {
            throw new StorageUnavailableException(reason, ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>What keeps the database from being used, for the errors a caller cannot fix (null for the others).</summary>
    private static string? Unavailable(SqliteException ex) => ex.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED =>
            "The database is locked by another process and stayed locked for longer than Storage:BusyTimeoutMilliseconds; nothing was written. Retry shortly.",
        SQLitePCL.raw.SQLITE_READONLY => "The database is read-only (file or folder permissions, or a read-only disk); nothing was written.",
        SQLitePCL.raw.SQLITE_FULL => "The disk holding the database is full; nothing was written.",
        SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_PERM =>
            "The database file could not be read or written (an I/O or permission error); nothing was written.",
        _ => null,
    };

    public void Dispose() => _writeLock.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "An after-commit action failed; the write itself was committed")]
    private static partial void LogAfterCommitFailed(ILogger logger, Exception exception);
}
