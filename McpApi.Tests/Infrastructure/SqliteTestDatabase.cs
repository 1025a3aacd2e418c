using McpApi.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// A <see cref="SqliteDatabase"/> on a real file in a temporary folder of its own, for the storage tests that use the
/// database without hosting the app. Disposing it closes the database and removes the folder.
/// </summary>
public sealed class SqliteTestDatabase : IAsyncDisposable
{
    private readonly ILogger<SqliteDatabase> _logger;

    private SqliteTestDatabase(string fileName, ILogger<SqliteDatabase>? logger)
    {
        Folder = Directory.CreateTempSubdirectory("mcpapi-sqlite-").FullName;
        DatabasePath = Path.Combine(Folder, fileName);
        _logger = logger ?? NullLogger<SqliteDatabase>.Instance;
        Database = Open(new SqliteStorageOptions());
    }

    public string Folder { get; }

    public string DatabasePath { get; }

    public SqliteDatabase Database { get; private set; }

    /// <summary>A database with its schema created, default settings.</summary>
    public static async Task<SqliteTestDatabase> CreateAsync(string fileName, ILogger<SqliteDatabase>? logger = null)
    {
        var test = new SqliteTestDatabase(fileName, logger);
        await test.Database.EnsureReadyAsync();
        return test;
    }

    /// <summary>Closes the database and opens the same file again with the settings given (the connection string is set here).</summary>
    public async Task ReopenAsync(SqliteStorageOptions options)
    {
        await Database.DisposeAsync();
        Database = Open(options);
    }

    /// <summary>A connection of its own to the file, outside the database's pool: it sees committed rows only.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private SqliteDatabase Open(SqliteStorageOptions options)
    {
        options.ConnectionString = $"Data Source={DatabasePath}";
        return new SqliteDatabase(Options.Create(options), new HostingEnvironment { ContentRootPath = Folder }, _logger);
    }
}

public static class SqliteDatabaseTestExtensions
{
    /// <summary>
    /// Starts a write that runs <paramref name="first"/> (if given) and then waits: until the gate opens, the writer
    /// takes no other write, so the writes queued meanwhile form one batch. The write runs on a thread of its own,
    /// since a write that finds the writer idle is applied on its caller's thread.
    /// </summary>
    public static async Task<(TaskCompletionSource Gate, Task Held)> HoldTheWriterAsync(this SqliteDatabase database,
        Func<SqliteSession, long>? first = null)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = Task.Run(() => database.WriteAsync(s =>
        {
            var result = first?.Invoke(s) ?? 0;
            started.SetResult();
            gate.Task.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue("the test opens the gate");
            return result;
        }, null, CancellationToken.None));
        await started.Task;
        return (gate, held);
    }
}
