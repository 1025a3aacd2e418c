using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// SQLite settings: the connection string comes from <c>ConnectionStrings:McpApi</c> (env <c>ConnectionStrings__McpApi</c>);
/// the rest from the <c>Storage</c> section.
/// </summary>
public sealed class SqliteStorageOptions
{
    public const string Section = "Storage";
    public const string ConnectionStringName = "McpApi";
    public const string DefaultConnectionString = "Data Source=data/mcpapi.db";

    /// <summary>A relative <c>Data Source</c> is resolved against the app's content root.</summary>
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>How long a statement waits for another process's lock before failing (SQLite <c>busy_timeout</c>).</summary>
    public int BusyTimeoutMilliseconds { get; set; } = 5000;

    /// <summary>Group commit: at most this many writes share one transaction and one fsync (1 turns group commit off).</summary>
    public int WriteBatchMaxSize { get; set; } = 128;

    /// <summary>
    /// Group commit: how long the writer may wait for more writes before committing a batch that is not full.
    /// 0 (the default) commits whatever is waiting at once, so a lone write never waits; batches still form under load
    /// from the writes that arrive while the previous commit is being flushed.
    /// </summary>
    public int WriteBatchMaxWaitMilliseconds { get; set; }
}

internal sealed class SqliteStorageOptionsValidator : IValidateOptions<SqliteStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteStorageOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"ConnectionStrings:McpApi is empty; set it to a SQLite connection string such as \"{SqliteStorageOptions.DefaultConnectionString}\".");
        }
        else
        {
            try
            {
                var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.DataSource))
                    failures.Add("ConnectionStrings:McpApi has no Data Source; add one, e.g. \"Data Source=/var/lib/mcpapi/mcpapi.db\".");
                else if (builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
                    failures.Add("ConnectionStrings:McpApi names an in-memory database, which lives only as long as one connection; use a file, e.g. \"Data Source=mcpapi.db\".");
            }
            catch (ArgumentException ex)
            {
                failures.Add($"ConnectionStrings:McpApi is not a valid SQLite connection string ({ex.Message}); use e.g. \"{SqliteStorageOptions.DefaultConnectionString}\".");
            }
        }
        if (options.BusyTimeoutMilliseconds is < 100 or > 600_000)
            failures.Add($"Storage:BusyTimeoutMilliseconds is {options.BusyTimeoutMilliseconds}; set it between 100 and 600000 (default 5000).");
        if (options.WriteBatchMaxSize is < 1 or > 10_000)
            failures.Add($"Storage:WriteBatchMaxSize is {options.WriteBatchMaxSize}; set it between 1 (one commit per write) and 10000 (default 128).");
        if (options.WriteBatchMaxWaitMilliseconds is < 0 or > 1000)
            failures.Add($"Storage:WriteBatchMaxWaitMilliseconds is {options.WriteBatchMaxWaitMilliseconds}; set it between 0 (commit what is waiting at once) and 1000 (default 0).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
