using McpApi.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Storage.Sqlite;

public static class SqliteStorageSetup
{
    /// <summary>
    /// Registers the embedded SQLite storage behind <see cref="INoteStore"/>, <see cref="IChatStore"/>,
    /// <see cref="IStateStore"/> and <see cref="IGameStore"/>, migrates it at start-up and adds it to readiness.
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.AddOptions<SqliteStorageOptions>()
            .BindConfiguration(SqliteStorageOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
            {
                if (configuration.GetConnectionString(SqliteStorageOptions.ConnectionStringName) is { } connectionString)
                    options.ConnectionString = connectionString;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStorageOptions>, SqliteStorageOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<INoteStore, SqliteNoteStore>();
        services.TryAddSingleton<IChatStore, SqliteChatStore>();
        services.TryAddSingleton<IStateStore, SqliteStateStore>();
        services.TryAddSingleton<IGameStore, SqliteGameStore>();
        services.AddHostedService<SqliteStartup>();
        services.AddHealthChecks().AddCheck<SqliteHealthCheck>("sqlite", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }
}
