using Microsoft.Extensions.Options;
using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>
/// PostgreSQL settings (<c>Storage:Provider</c> = <c>PostgreSql</c>): the connection string comes from
/// <c>ConnectionStrings:McpApi</c> (env <c>ConnectionStrings__McpApi</c>); pool size and the like are connection-string
/// keywords (<c>Maximum Pool Size=50</c>).
/// </summary>
public sealed class PostgreSqlStorageOptions
{
    public const string Example = "Host=127.0.0.1;Port=5432;Database=mcpapi;Username=mcpapi;Password=...";

    public string ConnectionString { get; set; } = "";

    /// <summary>How many times a write that lost a serialization or deadlock race is retried before a 503.</summary>
    public int WriteRetries { get; set; } = 5;
}

internal sealed class PostgreSqlStorageOptionsValidator : IValidateOptions<PostgreSqlStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlStorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString) || options.ConnectionString.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
            return ValidateOptionsResult.Fail(
                $"Storage:Provider is PostgreSql but ConnectionStrings:McpApi is '{options.ConnectionString}'; set it to a PostgreSQL connection string, e.g. \"{PostgreSqlStorageOptions.Example}\".");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
                return ValidateOptionsResult.Fail($"ConnectionStrings:McpApi has no Host; add one, e.g. \"{PostgreSqlStorageOptions.Example}\".");
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:McpApi is not a valid PostgreSQL connection string ({ex.Message}); use e.g. \"{PostgreSqlStorageOptions.Example}\".");
        }
        if (options.WriteRetries is < 0 or > 100)
            return ValidateOptionsResult.Fail($"Storage:WriteRetries is {options.WriteRetries}; set it between 0 and 100 (default 5).");
        return ValidateOptionsResult.Success;
    }
}
