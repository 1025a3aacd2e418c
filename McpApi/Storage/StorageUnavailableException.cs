namespace McpApi.Storage;

/// <summary>
/// The database could not be used for a reason outside the request: locked by another process past the busy timeout,
/// read-only, full, or failing I/O. Doors answer 503 <c>storage_unavailable</c>.
/// </summary>
public sealed class StorageUnavailableException(string message, Exception innerException) : Exception(message, innerException);
