using System.Text.Json.Serialization;
using McpApi.Dispatching;
using McpApi.Storage;

namespace McpApi.Models.Move;

/// <summary>The rules of tic-tac-toe as pure functions from one stored game to the next. Cells 0-8 go row by row.</summary>
internal static class TicTacToe
{
    public const string Waiting = "waiting";
    public const string Playing = "playing";
    public const string Won = "won";
    public const string Draw = "draw";

    /// <summary>The 8 winning lines: 3 rows, 3 columns, 2 diagonals.</summary>
    public static readonly int[][] Lines = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];

    public static StoredGame New(string id) => new(id, new string?[9], null, null, Waiting, null, 0, 0, default, default);

    public static bool IsOver(StoredGame game) => game.Status is Won or Draw;

    /// <summary>X while the number of moves is even, O otherwise; nobody before O has joined or after the end.</summary>
    public static string? Turn(StoredGame game) => game.Status == Playing ? (game.Moves % 2 == 0 ? "X" : "O") : null;

    public static string? SeatOf(StoredGame game, string player) =>
        game.PlayerX == player ? "X" : game.PlayerO == player ? "O" : null;

    /// <summary>Seats the player in the free seat (X first); a seated player keeps their seat (the same game comes back).</summary>
    public static StoredGame Join(StoredGame game, string player)
    {
        if (SeatOf(game, player) is not null)
            return game;
        if (game.PlayerX is null)
            return game with { PlayerX = player };
        if (game.PlayerO is null)
            return game with { PlayerO = player, Status = game.Status == Waiting ? Playing : game.Status };
        throw RequestError.Conflict("game_full",
            $"Game '{game.Id}' already has two players ({game.PlayerX} as X, {game.PlayerO} as O). Start another with the action 'new'.");
    }

    /// <summary>Puts the player's mark in <paramref name="cell"/>, then decides a winner or a draw.</summary>
    public static StoredGame Play(StoredGame game, string player, int cell)
    {
        if (IsOver(game))
            throw RequestError.Conflict("game_over",
                game.Status == Won ? $"Game '{game.Id}' is over: {game.Winner} won. Start another with the action 'new'."
                                   : $"Game '{game.Id}' is over: it was a draw. Start another with the action 'new'.");
        var seat = SeatOf(game, player)
            ?? throw RequestError.Forbidden("not_a_player",
                $"'{player}' is not a player of game '{game.Id}' (X: {game.PlayerX ?? "free"}, O: {game.PlayerO ?? "free"}). Join it first with the action 'join'.");
        if (game.Status == Waiting)
            throw RequestError.Conflict("game_not_started", $"Game '{game.Id}' is waiting for a second player to join as O; moves start when they do.");
        var turn = Turn(game);
        if (seat != turn)
            throw RequestError.Conflict("not_your_turn", $"It is {turn}'s turn in game '{game.Id}', and '{player}' plays {seat}. Wait for the other player's move.");
        if (game.Board[cell] is { } mark)
            throw RequestError.Conflict("cell_taken", $"Cell {cell} (row {cell / 3}, col {cell % 3}) already holds {mark}. Pick an empty cell.",
                new() { ["cell"] = cell, ["freeCells"] = Enumerable.Range(0, 9).Where(i => game.Board[i] is null).ToArray() });

        var board = game.Board.ToArray();
        board[cell] = seat;
        var moves = game.Moves + 1;
        var winner = WinnerOf(board);
        var status = winner is not null ? Won : moves == 9 ? Draw : Playing;
        return game with { Board = board, Moves = moves, Status = status, Winner = winner };
    }

    public static string? WinnerOf(IReadOnlyList<string?> board)
    {
        foreach (var line in Lines)
        {
            if (board[line[0]] is { } mark && board[line[1]] == mark && board[line[2]] == mark)
                return mark;
        }
        return null;
    }
}

/// <summary>A game as clients see it.</summary>
public sealed record GameView(string Id, IReadOnlyList<string?> Board, GamePlayers Players, string? Turn, string Status, string? Winner, int Moves)
{
    internal static GameView From(StoredGame game) =>
        new(game.Id, game.Board, new GamePlayers(game.PlayerX, game.PlayerO), TicTacToe.Turn(game), game.Status, game.Winner, game.Moves);
}

/// <summary><c>{"X": name | null, "O": name | null}</c>.</summary>
public sealed record GamePlayers([property: JsonPropertyName("X")] string? X, [property: JsonPropertyName("O")] string? O);
