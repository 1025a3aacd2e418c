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
        Scalar(connection, "SELECT MAX(version) FROM schema_version;").ShouldBe(1L);
        Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('notes','chat_messages','state_entries','games');").ShouldBe(4L);
    }

    [Fact]
    public async Task ReadinessChecksTheDatabaseAndLivenessDoesNot()
    {
        using var app = new McpApiApplication();
        var client = app.CreateClient();

        var ready = await client.GetJsonAsync("/health/ready");
        var live = await client.GetJsonAsync("/health");

        ready.GetProperty("status").GetString().ShouldBe("Healthy");
        ready.GetProperty("checks").GetProperty("sqlite").GetProperty("description").GetString()!.ShouldContain("schema version 1");
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
        body.GetProperty("checks").GetProperty("sqlite").GetProperty("error").GetString()!.ShouldContain("schema_version");
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
        Scalar(connection, "SELECT COUNT(*) FROM schema_version;").ShouldBe(1L);
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

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
