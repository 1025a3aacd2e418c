using Microsoft.Extensions.Options;

namespace McpApi.Storage;

/// <summary><c>Storage:Provider</c>: where the stores keep their data.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";

    /// <summary><c>Sqlite</c> (the default: one embedded file) or <c>PostgreSql</c> (many replicas share one database).</summary>
    public string Provider { get; set; } = Sqlite;

    public bool IsPostgreSql => string.Equals(Provider, PostgreSql, StringComparison.OrdinalIgnoreCase);
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        string.Equals(options.Provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase) || options.IsPostgreSql
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Storage:Provider is '{options.Provider}'; set it to '{StorageOptions.Sqlite}' (the default, an embedded file) "
                + $"or '{StorageOptions.PostgreSql}' (with ConnectionStrings:McpApi = \"Host=...;Database=...;Username=...;Password=...\").");
}
