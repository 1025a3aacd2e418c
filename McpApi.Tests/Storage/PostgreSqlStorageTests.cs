using System.Net;
using McpApi.Storage.PostgreSql;
using McpApi.Tests.Infrastructure;
using Npgsql;

namespace McpApi.Tests.Storage;

/// <summary>What only the PostgreSQL provider has: replicas migrating together, synchronous commits, its readiness and its 503s.</summary>
public sealed class PostgreSqlStorageTests
{
    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task ThreeReplicasStartingTogetherOnAnEmptyDatabaseApplyEachSchemaStepOnce()
    {
        using var first = new McpApiApplication(TestStorage.PostgreSql);
        using var second = new McpApiApplication(TestStorage.PostgreSql, first.ConnectionString);
        using var third = new McpApiApplication(TestStorage.PostgreSql, first.ConnectionString);

        var replies = await Task.WhenAll(new[] { first, second, third }.Select(app => Task.Run(() =>
            app.CreateClient().PostEnvelopeAsync(new { model = "notes", context = "boot", data = "hello" }))));

        replies.ShouldAllBe(r => r.Status == "success");
        (await ScalarAsync(first.ConnectionString, "SELECT COUNT(*) FROM schema_version;")).ShouldBe((long)PostgreSqlMigrations.LatestVersion);
        (await ScalarAsync(first.ConnectionString, "SELECT COUNT(*) FROM notes WHERE notebook = 'boot';")).ShouldBe(3L);
    }

    [Fact]
    public async Task WritesCommitSynchronouslyEvenWhenTheDatabaseDefaultIsAsynchronous()
    {
        using var app = new McpApiApplication(TestStorage.PostgreSql);
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database;
        await ScalarAsync(app.ConnectionString, $"ALTER DATABASE \"{database}\" SET synchronous_commit = off;");

        var ready = await app.CreateClient().GetJsonAsync("/health/ready");

        (await ScalarAsync(app.ConnectionString, "SHOW synchronous_commit;")).ShouldBe("off");
        ready.GetProperty("checks").GetProperty("postgresql").GetProperty("description").GetString()!.ShouldContain("synchronous_commit=on");
    }

    [Fact]
    public async Task ReadinessNamesTheDatabaseAndItsSchemaVersion()
    {
        using var app = new McpApiApplication(TestStorage.PostgreSql);

        var ready = await app.CreateClient().GetJsonAsync("/health/ready");

        ready.GetProperty("status").GetString().ShouldBe("Healthy");
        var check = ready.GetProperty("checks").GetProperty("postgresql");
        check.GetProperty("description").GetString()!.ShouldContain($"schema version {PostgreSqlMigrations.LatestVersion}, takes writes");
        ready.GetProperty("checks").TryGetProperty("sqlite", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task WhileTheDatabaseRefusesConnectionsWritesAre503AndTheyWorkAgainAfterwards()
    {
        using var app = new McpApiApplication(TestStorage.PostgreSql);
        var client = app.CreateClient();
        (await client.PostEnvelopeAsync(new { model = "chat", context = "ana", data = "before" })).Status.ShouldBe("success");
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database;
        var admin = new NpgsqlConnectionStringBuilder(app.ConnectionString) { Database = "postgres" }.ConnectionString;

        await ScalarAsync(admin, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false;");
        await ScalarAsync(admin, $"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}';");
        var refused = await client.PostEnvelopeAsync(new { model = "chat", context = "ana", data = "during" });
        var notReady = await client.GetAsync("/health/ready");
        await ScalarAsync(admin, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true;");
        NpgsqlConnection.ClearAllPools();
        var after = await client.PostEnvelopeAsync(new { model = "chat", context = "ana", data = "after" });

        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, refused.ToString());
        refused.Code.ShouldBe("storage_unavailable");
        refused.Message.ShouldContain("PostgreSQL");
        refused.ToString().ShouldNotContain("Password");
        notReady.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        after.Status.ShouldBe("success", after.ToString());
    }

    [Fact]
    public void AnUnknownProviderOrASqliteConnectionStringForPostgreSqlIsRejectedNamingTheSetting()
    {
        var provider = new McpApi.Storage.StorageOptionsValidator().Validate(null, new McpApi.Storage.StorageOptions { Provider = "Mongo" });
        var connection = new PostgreSqlStorageOptionsValidator().Validate(null, new PostgreSqlStorageOptions { ConnectionString = "Data Source=data/mcpapi.db" });
        using var app = new McpApiApplication();
        app.Settings["Storage:Provider"] = "Mongo";

        provider.FailureMessage!.ShouldContain("Storage:Provider is 'Mongo'");
        provider.FailureMessage!.ShouldContain("PostgreSql");
        connection.FailureMessage!.ShouldContain("ConnectionStrings:McpApi");
        connection.FailureMessage!.ShouldContain("Host=");
        Should.Throw<Exception>(() => app.CreateClient());
    }
}
