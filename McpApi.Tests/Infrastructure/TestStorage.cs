namespace McpApi.Tests.Infrastructure;

/// <summary>The storage provider a hosted app runs on: the storage and model tests run once on each.</summary>
public enum TestStorage
{
    Sqlite,
    PostgreSql,
}
