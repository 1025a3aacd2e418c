using McpApi.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Cluster;

/// <summary>
/// Two servers configured as replicas share one Data Protection key ring, so what one protects the other reads:
/// in Redis when <c>ConnectionStrings:Redis</c> is set, else in PostgreSQL when it is the storage.
/// </summary>
public sealed class SharedDataProtectionTests
{
    [Fact]
    public void WhatOneReplicaProtectsAnotherReadsWithTheKeysInPostgreSql()
    {
        using var first = new McpApiApplication(TestStorage.PostgreSql);
        using var second = new McpApiApplication(TestStorage.PostgreSql, first.ConnectionString);
        RoundTrip(first, second);

        // The ring is the database's, not a file each machine keeps for itself.
        using var connection = new Npgsql.NpgsqlConnection(first.ConnectionString);
        connection.Open();
        using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM data_protection_keys;", connection);
        Convert.ToInt64(count.ExecuteScalar()).ShouldBe(1);
    }

    [Fact]
    public void WhatOneReplicaProtectsAnotherReadsWithTheKeysInRedis()
    {
        using var redis = new RedisServer();
        using var first = new McpApiApplication();
        using var second = new McpApiApplication();
        first.Settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        second.Settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        RoundTrip(first, second);

        // The ring is the Redis server's, not a file each machine keeps for itself.
        using var connection = StackExchange.Redis.ConnectionMultiplexer.Connect(redis.ConnectionString);
        connection.GetDatabase().ListLength(McpApi.Hosting.DataProtectionSetup.RedisKey).ShouldBe(1);
    }

    private static void RoundTrip(McpApiApplication first, McpApiApplication second)
    {
        var secret = Protector(first).Protect("minted on the first replica");
        Protector(second).Unprotect(secret).ShouldBe("minted on the first replica");
        var back = Protector(second).Protect("and back");
        Protector(first).Unprotect(back).ShouldBe("and back");
    }

    private static IDataProtector Protector(McpApiApplication app) =>
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("McpApi.Tests.SharedKeys");
}
