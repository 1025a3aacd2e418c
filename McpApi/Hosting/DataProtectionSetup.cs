using McpApi.Storage;
using McpApi.Storage.PostgreSql;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpApi.Hosting;

/// <summary>
/// ASP.NET Core Data Protection with one key ring for every replica, so whatever one replica protects (an id, a cookie,
/// a token) another can read. The key ring lives in Redis when <c>ConnectionStrings:Redis</c> is set (the official
/// <c>Microsoft.AspNetCore.DataProtection.StackExchangeRedis</c>), else in PostgreSQL when it is the storage
/// (<see cref="PostgreSqlXmlRepository"/>), else in the framework's default place (one machine). The application name
/// is fixed, so replicas installed in different folders still share keys.
/// </summary>
public static class DataProtectionSetup
{
    public const string ApplicationName = "McpApi";

    /// <summary>The Redis key holding the key ring.</summary>
    public const string RedisKey = "McpApi:DataProtection-Keys";

    public static WebApplicationBuilder AddSharedDataProtection(this WebApplicationBuilder builder)
    {
        var protection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        var storage = new StorageOptions();
        builder.Configuration.GetSection(StorageOptions.Section).Bind(storage);
        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            // Connected on first use (the key ring is read lazily), and reconnecting by itself.
            var connection = new Lazy<ConnectionMultiplexer>(() =>
            {
                var options = ConfigurationOptions.Parse(redis);
                options.AbortOnConnectFail = false;
                options.ClientName ??= "McpApi-keys";
                return ConnectionMultiplexer.Connect(options);
            });
            protection.PersistKeysToStackExchangeRedis(() => connection.Value.GetDatabase(), RedisKey);
        }
        else if (storage.IsPostgreSql)
        {
            builder.Services.AddOptions<KeyManagementOptions>().Configure<PostgreSqlDatabase, TimeProvider>((options, database, clock) =>
                options.XmlRepository = new PostgreSqlXmlRepository(database, clock));
        }
        return builder;
    }
}
