using McpApi.Storage.PostgreSql;
using McpApi.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Storage;

public static class StorageSetup
{
    /// <summary>Registers the stores of the provider <c>Storage:Provider</c> names: SQLite by default, or PostgreSQL.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        var options = new StorageOptions();
        configuration.GetSection(StorageOptions.Section).Bind(options);
        return options.IsPostgreSql ? services.AddPostgreSqlStorage() : services.AddSqliteStorage();
    }
}
