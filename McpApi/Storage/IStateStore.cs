namespace McpApi.Storage;

/// <summary>
/// A versioned JSON document under a key in a namespace. Versions start at 1 and grow by one per write; a key that is
/// deleted and written again continues after the version it was deleted at, so a key's versions never repeat.
/// The value is the stored JSON text, not parsed (<see cref="StoredJson"/>).
/// </summary>
public sealed record StateEntry(string Namespace, string Key, StoredJson Value, long Version, DateTime UpdatedAt);

public enum StateOutcome
{
    Written,
    Deleted,
    NotFound,
    VersionConflict,
}

/// <summary>What a write did. <see cref="CurrentVersion"/> is the stored version before a conflict (0 when absent).</summary>
public sealed record StateWriteResult(StateOutcome Outcome, StateEntry? Entry, long CurrentVersion);

public sealed record StateKeyInfo(string Key, long Version, DateTime UpdatedAt);

/// <summary>A namespace that has keys: how many, and when one was last written.</summary>
public sealed record StateNamespaceInfo(string Namespace, long Keys, DateTime LastUpdated);

/// <summary>Where the state model keeps its documents. Writes compare-and-set atomically.</summary>
public interface IStateStore
{
    Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="valueJson"/> when <paramref name="ifVersion"/> is null or equals the stored version (0: absent).
    /// <paramref name="committed"/> runs after a successful commit and before the next write.
    /// </summary>
    Task<StateWriteResult> SetAsync(string @namespace, string key, string valueJson, long? ifVersion,
        Action<StateWriteResult>? committed, CancellationToken cancellationToken);

    /// <summary>Deletes the key when present and <paramref name="ifVersion"/> is null or matches; the result carries the deleted version.</summary>
    Task<StateWriteResult> DeleteAsync(string @namespace, string key, long? ifVersion,
        Action<StateWriteResult>? committed, CancellationToken cancellationToken);

    /// <summary>Keys starting with <paramref name="prefix"/> and sorting after <paramref name="after"/>, in ordinal order.</summary>
    Task<IReadOnlyList<StateKeyInfo>> ListAsync(string @namespace, string prefix, string? after, int limit, CancellationToken cancellationToken);

    /// <summary>The namespaces that have keys, in ordinal order of their names.</summary>
    Task<IReadOnlyList<StateNamespaceInfo>> NamespacesAsync(CancellationToken cancellationToken);
}
