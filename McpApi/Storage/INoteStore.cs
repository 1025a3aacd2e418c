namespace McpApi.Storage;

/// <summary>A note in a notebook. Ids are unique across notebooks and grow with every note.</summary>
public sealed record Note(long Id, string Notebook, string Text, DateTime CreatedAt);

/// <summary>A notebook that has notes: how many, and when the newest was added.</summary>
public sealed record NotebookInfo(string Notebook, long Notes, DateTime LastAdded);

/// <summary>Where the notes model keeps its notes.</summary>
public interface INoteStore
{
    /// <summary>Adds a note; <paramref name="committed"/> runs after the commit and before the next write.</summary>
    Task<Note> AddAsync(string notebook, string text, Action<Note>? committed, CancellationToken cancellationToken);

    /// <summary>Notes with an id above <paramref name="after"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Note>> ListAsync(string notebook, long after, int limit, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> notes of the notebook, oldest first.</summary>
    Task<IReadOnlyList<Note>> NewestAsync(string notebook, int limit, CancellationToken cancellationToken);

    Task<Note?> LatestAsync(string notebook, CancellationToken cancellationToken);

    /// <summary>Deletes a note of the notebook; false when it has no such note.</summary>
    Task<bool> DeleteAsync(string notebook, long id, CancellationToken cancellationToken);

    /// <summary>The notebooks that have notes, in ordinal order of their names.</summary>
    Task<IReadOnlyList<NotebookInfo>> NotebooksAsync(CancellationToken cancellationToken);
}
