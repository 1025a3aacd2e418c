using System.Diagnostics;
using McpApi.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL database every store shares, through one pooled <see cref="NpgsqlDataSource"/> with automatic
/// statement preparation. Each write is one <c>READ COMMITTED</c> transaction on a pooled connection: concurrent writes
/// commit in parallel (PostgreSQL's own group commit), so there is no write queue as with SQLite.
/// </summary>
/// <remarks>
/// Guarantees across replicas: a write that must see the latest state of one item (a chat room, a state key, a game)
/// first takes a transaction-scoped advisory lock on that item (<c>pg_advisory_xact_lock</c>), so two replicas never
/// interleave on it; inside one process the same item's writes also hold a local lock until their after-commit action
/// ran, so events leave each process in commit order. Durability: every connection runs with
/// <c>synchronous_commit=on</c>, so a write is acknowledged only after its commit record is flushed.
/// </remarks>
public sealed partial class PostgreSqlDatabase : IAsyncDisposable, IDisposable
{
    private const int Stripes = 256;
    private readonly SemaphoreSlim[] _local = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly Lazy<Task> _ready;
    private readonly ILogger<PostgreSqlDatabase> _logger;
    private readonly int _retries;

    public PostgreSqlDatabase(IOptions<PostgreSqlStorageOptions> options, ILogger<PostgreSqlDatabase> logger)
    {
        _logger = logger;
        _retries = options.Value.WriteRetries;
        var builder = new NpgsqlDataSourceBuilder(options.Value.ConnectionString);
        var connection = builder.ConnectionStringBuilder;
        // Prepared statements without code in each store: the few distinct statements are prepared per connection on first use.
        if (connection.MaxAutoPrepare == 0)
            connection.MaxAutoPrepare = 64;
        connection.AutoPrepareMinUsages = 2;
        // Whatever the server's default, an acknowledged write is on disk.
        connection.Options = string.Join(' ', new[] { connection.Options, "-c synchronous_commit=on" }.Where(o => !string.IsNullOrWhiteSpace(o)));
        connection.ApplicationName ??= "McpApi";
        Description = $"{connection.Host}:{connection.Port}/{connection.Database}";
        DataSource = builder.Build();
        _ready = new Lazy<Task>(() => PostgreSqlMigrations.ApplyAsync(this, logger, CancellationToken.None));
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Host, port and database, for messages (never the password).</summary>
    public string Description { get; }

    /// <summary>Creates or migrates the schema once; every other call waits for that first run.</summary>
    public Task EnsureReadyAsync() => _ready.Value;

    /// <summary>
    /// A read that lists the rows of one query (positional <paramref name="values"/>), each made by <paramref name="row"/>;
    /// <paramref name="expected"/> sizes the list (at most 64 up front).
    /// </summary>
    public Task<IReadOnlyList<T>> ListAsync<T>(string sql, object?[] values, Func<NpgsqlDataReader, T> row, int expected,
        CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<T>>(async connection =>
        {
            await using var command = connection.Command(sql, null, values);
            var rows = new List<T>(Math.Min(expected, 64));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(row(reader));
            return rows;
        }, cancellationToken);

    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync();
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await read(connection);
        }
        catch (Exception ex) when (Unavailable(ex) is { } reason)
        {
            throw new StorageUnavailableException(reason, ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> in its own transaction and commits; then runs <paramref name="committed"/>.
    /// With a <paramref name="lockKey"/> the write first takes that item's advisory lock (shared by every replica) and,
    /// in this process, holds the item's local lock until <paramref name="committed"/> ran: writes to one item are applied
    /// one at a time everywhere and their after-commit actions run in commit order here. A write that loses a
    /// serialization or deadlock race is retried (<c>Storage:WriteRetries</c>); an exception from
    /// <paramref name="write"/> rolls it back and reaches the caller.
    /// </summary>
    public async Task<T> WriteAsync<T>(string? lockKey, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> write,
        Action<T>? committed, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync();
        var local = lockKey is null ? null : _local[(int)((uint)StringComparer.Ordinal.GetHashCode(lockKey) % Stripes)];
        if (local is not null)
            await local.WaitAsync(cancellationToken);
        try
        {
            var result = await CommitAsync(lockKey, write, cancellationToken);
            AfterCommit(committed, result);
            return result;
        }
        finally
        {
            local?.Release();
        }
    }

    private async Task<T> CommitAsync<T>(string? lockKey, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await using var connection = await OpenAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                if (lockKey is not null)
                {
                    await using var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0));", connection, transaction);
                    take.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lockKey });
                    await take.ExecuteNonQueryAsync(cancellationToken);
                }
                var result = await write(connection, transaction);
                // Once COMMIT is sent the write is applied whatever the caller does: it is not cancelled halfway.
                await transaction.CommitAsync(CancellationToken.None);
                McpApiMetrics.StorageCommitted(1, started);
                return result;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected && attempt < _retries)
            {
                LogRetry(_logger, ex.SqlState, attempt + 1);
            }
            catch (Exception ex) when (Unavailable(ex) is { } reason)
            {
                throw new StorageUnavailableException(reason, ex);
            }
        }
    }

    /// <summary>A pooled connection; any failure to get one (refused, dropped, not allowed, pool exhausted) is a 503, whatever its SQLSTATE.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await DataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new StorageUnavailableException($"PostgreSQL at {Description} does not take connections now ({ex.Message.TrimEnd('.')}); nothing was written. Retry shortly.", ex);
        }
    }

    private void AfterCommit<T>(Action<T>? committed, T result)
    {
        if (committed is null)
            return;
        try
        {
            committed(result);
        }
        catch (Exception ex)
        {
            LogAfterCommitFailed(_logger, ex);
        }
    }

    /// <summary>What keeps the database from being used, for the errors a caller cannot fix (null for the others).</summary>
    internal string? Unavailable(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } =>
            $"PostgreSQL at {Description} is read-only (a standby, or default_transaction_read_only); nothing was written.",
        PostgresException { SqlState: PostgresErrorCodes.DiskFull or PostgresErrorCodes.InsufficientResources or PostgresErrorCodes.OutOfMemory } =>
            $"PostgreSQL at {Description} is out of disk or memory; nothing was written.",
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } =>
            "The write kept colliding with concurrent writes to the same item; nothing was written. Retry shortly.",
        PostgresException { SqlState: var state } when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)
            || state == PostgresErrorCodes.TooManyConnections =>
            $"PostgreSQL at {Description} refused or dropped the connection ({state}); the write may not have been stored. Retry shortly.",
        PostgresException => null,
        NpgsqlException or TimeoutException or System.Net.Sockets.SocketException =>
            $"PostgreSQL at {Description} cannot be reached ({ex.Message.TrimEnd('.')}); retry shortly.",
        _ => null,
    };

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    public void Dispose() => DataSource.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "An after-commit action failed; the write itself was committed")]
    private static partial void LogAfterCommitFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A write lost a race ({SqlState}); retry {Attempt}")]
    private static partial void LogRetry(ILogger logger, string sqlState, int attempt);
}
