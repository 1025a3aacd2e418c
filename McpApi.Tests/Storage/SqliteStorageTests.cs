using System.Net;
using McpApi.Storage.Sqlite;
using McpApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace McpApi.Tests.Storage;

public sealed class SqliteStorageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpapi-storage-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task StartupCreatesTheSchemaWithAVersionTableInWalMode()
    {
        using var app = new McpApiApplication();
        (await app.CreateClient().GetAsync("/health")).EnsureSuccessStatusCode();

        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();

        Scalar(connection, "PRAGMA journal_mode;").ShouldBe("wal");
        Scalar(connection, "SELECT MAX(version) FROM schema_version;").ShouldBe((long)SqliteMigrations.LatestVersion);
        Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('notes','chat_messages','state_entries','state_tombstones','games');").ShouldBe(5L);
    }

    [Fact]
    public async Task ReadinessChecksTheDatabaseAndLivenessDoesNot()
    {
        using var app = new McpApiApplication();
        var client = app.CreateClient();

        var ready = await client.GetJsonAsync("/health/ready");
        var live = await client.GetJsonAsync("/health");

        ready.GetProperty("status").GetString().ShouldBe("Healthy");
        ready.GetProperty("checks").GetProperty("sqlite").GetProperty("description").GetString()!.ShouldContain($"schema version {SqliteMigrations.LatestVersion}");
        live.GetProperty("checks").TryGetProperty("sqlite", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task ReadinessIs503WhenTheDatabaseFileIsGone()
    {
        using var app = new McpApiApplication();
        var client = app.CreateClient();
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        SqliteConnection.ClearAllPools();
        File.Delete(app.DatabasePath);
        File.Delete(app.DatabasePath + "-wal");
        File.Delete(app.DatabasePath + "-shm");
        var response = await client.GetAsync("/health/ready");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var body = await EnvelopeClient.ReadJsonAsync(response);
        body.GetProperty("checks").GetProperty("sqlite").GetProperty("status").GetString().ShouldBe("Unhealthy");
        body.GetProperty("checks").GetProperty("sqlite").GetProperty("description").GetString()!.ShouldContain("was deleted while the server was running");
    }

    [Fact]
    public async Task DataOutlivesTheServerAndARestartDoesNotMigrateTwice()
    {
        var connectionString = $"Data Source={Path.Combine(_directory, "shared.db")}";
        using (var first = new McpApiApplication())
        {
            first.Settings["ConnectionStrings:McpApi"] = connectionString;
            (await first.CreateClient().PostEnvelopeAsync(new { model = "notes", data = "remember me" })).Status.ShouldBe("success");
        }

        using var second = new McpApiApplication();
        second.Settings["ConnectionStrings:McpApi"] = connectionString;
        var latest = await second.CreateClient().PostEnvelopeAsync(new { model = "notes", action = "latest" });

        latest.Data.GetProperty("text").GetString().ShouldBe("remember me");
        await using var connection = new SqliteConnection($"{connectionString};Pooling=False");
        await connection.OpenAsync();
        Scalar(connection, "SELECT COUNT(*) FROM schema_version;").ShouldBe((long)SqliteMigrations.LatestVersion);
    }

    [Fact]
    public async Task ADatabaseFromSchemaVersionOneIsMigratedAndItsStateKeysKeepTheirVersions()
    {
        var path = Path.Combine(_directory, "v1.db");
        await using (var old = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await old.OpenAsync();
            Execute(old, """
                CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);
                INSERT INTO schema_version VALUES (1, 'notes, chat, state and games', '2026-01-01T00:00:00Z');
                CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, notebook TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL);
                CREATE TABLE chat_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, user_name TEXT NOT NULL, text TEXT NOT NULL, sent_at INTEGER NOT NULL);
                CREATE TABLE state_entries (namespace TEXT NOT NULL, state_key TEXT NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL, PRIMARY KEY (namespace, state_key)) WITHOUT ROWID;
                CREATE TABLE games (id TEXT NOT NULL PRIMARY KEY, board TEXT NOT NULL, player_x TEXT, player_o TEXT, status TEXT NOT NULL,
                    winner TEXT, moves INTEGER NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO state_entries VALUES ('default', 'old', '"kept"', 7, 0);
                """);
        }

        using var app = new McpApiApplication();
        app.Settings["ConnectionStrings:McpApi"] = $"Data Source={path}";
        var client = app.CreateClient();
        var deleted = await client.PostEnvelopeAsync(new { model = "state", action = "delete", data = new { key = "old", ifVersion = 7 } });
        var recreated = await client.PostEnvelopeAsync(new { model = "state", action = "set", data = new { key = "old", value = "new" } });

        deleted.Status.ShouldBe("success", deleted.ToString());
        recreated.Data.GetProperty("version").GetInt64().ShouldBe(8);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        Scalar(connection, "SELECT MAX(version) FROM schema_version;").ShouldBe(2L);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task ARelativeDataSourceIsResolvedAgainstTheContentRootAndItsFolderCreated()
    {
        var environment = new HostingEnvironment { ContentRootPath = _directory };
        using var database = new SqliteDatabase(
            Options.Create(new SqliteStorageOptions { ConnectionString = "Data Source=data/app.db" }), environment, NullLogger<SqliteDatabase>.Instance);

        database.DataSource.ShouldBe(Path.Combine(_directory, "data", "app.db"));
        await database.EnsureReadyAsync();
        Directory.Exists(Path.Combine(_directory, "data")).ShouldBeTrue();
    }

    [Theory]
    [InlineData("", 5000, "ConnectionStrings:McpApi is empty")]
    [InlineData("Nonsense=1", 5000, "not a valid SQLite connection string")]
    [InlineData("Data Source=:memory:", 5000, "in-memory")]
    [InlineData("Data Source=x.db", 10, "Storage:BusyTimeoutMilliseconds")]
    public void BadStorageSettingsAreRejectedWithTheSettingAndTheFix(string connectionString, int busyTimeout, string expected)
    {
        var result = new SqliteStorageOptionsValidator().Validate(null,
            new SqliteStorageOptions { ConnectionString = connectionString, BusyTimeoutMilliseconds = busyTimeout });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(expected);
    }

    [Fact]
    public async Task OneHundredAndFiftyConcurrentWritersAcrossModelsAllSucceed()
    {
        using var app = new McpApiApplication();
        var client = app.CreateClient();

        var replies = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => (i % 3) switch
        {
            0 => client.PostEnvelopeAsync(new { model = "notes", context = "load", data = $"note {i}" }),
            1 => client.PostEnvelopeAsync(new { model = "chat", context = new { user = "load", room = "load" }, data = $"chat {i}" }),
            _ => client.PostEnvelopeAsync(new { model = "state", action = "set", context = "load", data = new { key = $"k{i}", value = i } }),
        }));

        replies.Where(r => r.StatusCode != HttpStatusCode.OK).ShouldBeEmpty();
        var notes = await client.PostEnvelopeAsync(new { model = "notes", action = "list", context = "load", data = new { limit = 500 } });
        var noteIds = notes.Data.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()).ToArray();
        noteIds.Length.ShouldBe(50);
        noteIds.ShouldBe(noteIds.Order().Distinct().ToArray());
        var keys = await client.PostEnvelopeAsync(new { model = "state", action = "list", context = "load", data = new { limit = 500 } });
        keys.Data.GetProperty("keys").GetArrayLength().ShouldBe(50);
    }

    [Fact]
    public async Task AWriteWhileAnotherProcessHoldsTheDatabaseLockIsA503StorageUnavailableWithoutAStackTrace()
    {
        using var app = new McpApiApplication();
        app.Settings["Storage:BusyTimeoutMilliseconds"] = "200";
        var client = app.CreateClient();
        (await client.PostEnvelopeAsync(new { model = "notes", data = "before the lock" })).Status.ShouldBe("success");

        await using (var other = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False"))
        {
            await other.OpenAsync();
            await using var exclusive = other.BeginTransaction(deferred: false);

            var blocked = await client.PostEnvelopeAsync(new { model = "notes", data = "while locked" });

            blocked.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, blocked.ToString());
            blocked.Status.ShouldBe("error");
            blocked.Code.ShouldBe("storage_unavailable");
            blocked.Message.ShouldContain("locked by another process");
            blocked.Message.ShouldContain(blocked.Data.GetProperty("traceId").GetString()!);
            blocked.ToString().ShouldNotContain("SqliteException");
            blocked.ToString().ShouldNotContain(" at ");

            using var raw = await client.PostAsync("/mcp", new StringContent("""{"model":"notes","data":"while locked"}""", System.Text.Encoding.UTF8, "application/json"));
            raw.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            raw.Headers.RetryAfter.ShouldNotBeNull().Delta.ShouldBe(TimeSpan.FromSeconds(1));

            var read = await client.PostEnvelopeAsync(new { model = "notes", action = "latest" });
            read.Data.GetProperty("text").GetString().ShouldBe("before the lock");
        }

        var after = await client.PostEnvelopeAsync(new { model = "notes", data = "after the lock" });
        after.StatusCode.ShouldBe(HttpStatusCode.OK, after.ToString());
        var notes = await client.PostEnvelopeAsync(new { model = "notes", action = "list" });
        notes.Data.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()).ShouldBe(["before the lock", "after the lock"]);
    }

    [Fact]
    public async Task ReadinessIs503WhileTheDatabaseCannotTakeWritesAndHealthyAgainAfterwards()
    {
        using var app = new McpApiApplication();
        app.Settings["Storage:BusyTimeoutMilliseconds"] = "200";
        var client = app.CreateClient();
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using (var other = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False"))
        {
            await other.OpenAsync();
            await using var exclusive = other.BeginTransaction(deferred: false);

            // Reads still work, writes do not: readiness must say so, not only whether a query answers.
            (await client.PostEnvelopeAsync(new { model = "notes", data = "while locked" })).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            var response = await client.GetAsync("/health/ready");

            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            var sqlite = (await EnvelopeClient.ReadJsonAsync(response)).GetProperty("checks").GetProperty("sqlite");
            sqlite.GetProperty("status").GetString().ShouldBe("Unhealthy");
            sqlite.GetProperty("description").GetString()!.ShouldContain("cannot take writes");
        }

        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
