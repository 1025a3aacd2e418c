namespace McpApi.Storage;

/// <summary>
/// A stored tic-tac-toe game. <see cref="Board"/> has 9 cells, row by row: "X", "O" or null.
/// <see cref="Version"/> grows by one with every stored change.
/// </summary>
public sealed record StoredGame(
    string Id,
    IReadOnlyList<string?> Board,
    string? PlayerX,
    string? PlayerO,
    string Status,
    string? Winner,
    int Moves,
    long Version,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>Where the move model keeps its games. Updates are atomic: one change at a time per game.</summary>
public interface IGameStore
{
    /// <summary>Stores a new game; false when the id is taken.</summary>
    Task<bool> CreateAsync(StoredGame game, CancellationToken cancellationToken);

    Task<StoredGame?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the game, applies <paramref name="change"/> and stores its result in one transaction (nothing is stored when
    /// it throws or returns the same instance). Null when there is no such game. <paramref name="committed"/> gets
    /// (before, after) after a commit that changed the game, before the next write.
    /// </summary>
    Task<StoredGame?> UpdateAsync(string id, Func<StoredGame, StoredGame> change,
        Action<StoredGame, StoredGame>? committed, CancellationToken cancellationToken);

    /// <summary>Games waiting for a player or being played, most recently changed first.</summary>
    Task<IReadOnlyList<StoredGame>> ListActiveAsync(int limit, CancellationToken cancellationToken);
}
