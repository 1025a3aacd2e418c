using McpApi.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Storage.PostgreSql;

public static class PostgreSqlStorageSetup
{
    /// <summary>
    /// Registers PostgreSQL storage behind <see cref="INoteStore"/>, <see cref="IChatStore"/>, <see cref="IStateStore"/>
    /// and <see cref="IGameStore"/> (<c>Storage:Provider</c> = <c>PostgreSql</c>), migrates it at start-up and adds it to readiness.
    /// </summary>
    public static IServiceCollection AddPostgreSqlStorage(this IServiceCollection services)
    {
        services.AddOptions<PostgreSqlStorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
                options.ConnectionString = configuration.GetConnectionString(Sqlite.SqliteStorageOptions.ConnectionStringName) ?? "")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStorageOptions>, PostgreSqlStorageOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PostgreSqlDatabase>();
        services.TryAddSingleton<INoteStore, PostgreSqlNoteStore>();
        services.TryAddSingleton<IChatStore, PostgreSqlChatStore>();
        services.TryAddSingleton<IStateStore, PostgreSqlStateStore>();
        services.TryAddSingleton<IGameStore, PostgreSqlGameStore>();
        services.TryAddSingleton<IMcpSessionStore, PostgreSqlMcpSessionStore>();
        services.AddHostedService<PostgreSqlStartup>();
        services.AddHealthChecks().AddCheck<PostgreSqlHealthCheck>("postgresql", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }
}
