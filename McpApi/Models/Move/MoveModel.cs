using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using McpApi.Dispatching;
using McpApi.Events;
using McpApi.Storage;

namespace McpApi.Models.Move;

/// <summary>
/// Turn-based tic-tac-toe. Context: <c>{"game": id, "player": name}</c>; a plain string is the player in game <c>default</c>.
/// </summary>
public sealed class MoveModel : IModelHandler
{
    public const string DefaultGame = "default";
    public const int MaxListed = 100;

    private readonly IGameStore _store;
    private readonly IEventPublisher _events;

    public MoveModel(IGameStore store, IEventPublisher events)
    {
        _store = store;
        _events = events;
        Actions =
        [
            ModelAction.For<NewGameContext, NewGame, GameView>("new",
                "Creates a game waiting for players: context.game names it (data.id too, for older clients; a generated id otherwise). "
                + "Then two players 'join' and 'play'.", NewAsync)
            with
            {
                ExampleContext = new NewGameContext("g1"),
            },
            ModelAction.For<SeatContext, NoData, GameView>("join",
                "Takes the free seat of the context's game: X first, then O (the game starts). Joining again returns your seat.", JoinAsync)
            with
            {
                ExampleContext = new SeatContext("ana", "g1"),
                Idempotent = true,
            },
            ModelAction.For<SeatContext, CellChoice, GameView>("play",
                "Puts your mark in a cell: {\"cell\": 0-8} (row by row) or {\"row\": 0-2, \"col\": 0-2}. Returns the game, with the winner or a draw when it ends.", PlayAsync)
            with
            {
                ExampleContext = new SeatContext("ana", "g1"),
                ExampleData = new CellChoice(Cell: 4),
            },
            ModelAction.For<GameContext, NoData, GameView>("get", "Returns the context's game.", GetAsync)
            with
            {
                ExampleContext = new GameContext(Game: "g1"),
                ReadOnly = true,
                Idempotent = true,
            },
            ModelAction.For<NoContext, GameListPage, GameList>("list",
                $"Lists games waiting for a player or being played, most recently changed first (at most {MaxListed}).", ListAsync)
            with
            {
                ReadOnly = true,
                Idempotent = true,
            },
        ];
    }

    public string Name => "move";

    public string Description => "Turn-based tic-tac-toe: create a game, join it (X, then O), play cells, watch for the winner (context: {\"game\", \"player\"}).";

    public IReadOnlyList<ModelAction> Actions { get; }

    private async ValueTask<ModelResult<GameView>> NewAsync(ActionCall<NewGameContext, NewGame> call, CancellationToken ct)
    {
        var (named, byData) = (call.Context.Game, call.Data.Id);
        if (named is not null && byData is not null && named != byData)
            throw RequestError.Invalid("data.id", $"'{byData}' is not the game the context names ('{named}'); name the game once, in the context.");
        var id = named ?? byData ?? "g-" + Guid.NewGuid().ToString("N")[..10];
        if (!await _store.CreateAsync(TicTacToe.New(id), ct))
            throw RequestError.Conflict("game_exists", $"A game named '{id}' already exists. Pick another id, or leave it out to get a generated one.");
        var game = await _store.GetAsync(id, ct) ?? throw NotFound(id);
        return new($"Game '{id}' created; waiting for players X and O to join.", GameView.From(game));
    }

    private async ValueTask<ModelResult<GameView>> JoinAsync(ActionCall<SeatContext, NoData> call, CancellationToken ct)
    {
        var (player, id) = call.Context;
        var game = await _store.UpdateAsync(id, g => TicTacToe.Join(g, player), (before, after) =>
        {
            if (before.PlayerX != after.PlayerX || before.PlayerO != after.PlayerO)
                _events.Publish(new ModelEvent("move.joined", $"move:{id}", GameView.From(after)));
        }, ct) ?? throw NotFound(id);
        var seat = TicTacToe.SeatOf(game, player);
        return new(game.Status == TicTacToe.Playing && seat == "O"
            ? $"'{player}' plays O in game '{id}'; the game has started and X moves first."
            : $"'{player}' plays {seat} in game '{id}'{(game.PlayerO is null ? "; waiting for O to join" : "")}.", GameView.From(game));
    }

    private async ValueTask<ModelResult<GameView>> PlayAsync(ActionCall<SeatContext, CellChoice> call, CancellationToken ct)
    {
        var (player, id) = call.Context;
        var cell = Cell(call.Data);
        var game = await _store.UpdateAsync(id, g => TicTacToe.Play(g, player, cell), (_, after) =>
        {
            var view = GameView.From(after);
            _events.Publish(new ModelEvent("move.played", $"move:{id}", view));
            if (TicTacToe.IsOver(after))
                _events.Publish(new ModelEvent("move.finished", $"move:{id}", view));
        }, ct) ?? throw NotFound(id);
        var message = game.Status switch
        {
            TicTacToe.Won => $"{game.Winner} ('{player}') wins game '{id}'.",
            TicTacToe.Draw => $"Game '{id}' ends in a draw.",
            _ => $"'{player}' played cell {cell}; {TicTacToe.Turn(game)} to move.",
        };
        return new(message, GameView.From(game));
    }

    private async ValueTask<ModelResult<GameView>> GetAsync(ActionCall<GameContext, NoData> call, CancellationToken ct)
    {
        var id = call.Context.Game;
        var game = await _store.GetAsync(id, ct) ?? throw NotFound(id);
        return new($"Game '{id}' is {game.Status}.", GameView.From(game));
    }

    private async ValueTask<ModelResult<GameList>> ListAsync(ActionCall<NoContext, GameListPage> call, CancellationToken ct)
    {
        var games = await _store.ListActiveAsync(call.Data.Limit, ct);
        return new($"{games.Count} open or running game(s).", new GameList([.. games.Select(GameView.From)]));
    }

    private static int Cell(CellChoice choice)
    {
        var (cell, row, col) = choice;
        if ((row is null) != (col is null))
            throw RequestError.Invalid(row is null ? "data.row" : "data.col", "row and col come together: {\"row\": 0-2, \"col\": 0-2}; or send {\"cell\": 0-8} alone.");
        if (row is not null && col is not null)
        {
            var fromRowCol = (int)(row * 3 + col);
            if (cell is not null && cell != fromRowCol)
                throw RequestError.Invalid("data.cell", $"cell {cell} is not row {row}, col {col} (that is cell {fromRowCol}); send one or the other.");
            return fromRowCol;
        }
        return (int)(cell ?? throw RequestError.Invalid("data", "name a cell: {\"cell\": 0-8} or {\"row\": 0-2, \"col\": 0-2}."));
    }

    private static RequestError NotFound(string id) =>
        RequestError.NotFound("game_not_found", $"There is no game '{id}'. Create it with {{\"model\":\"move\",\"action\":\"new\",\"data\":{{\"id\":\"{id}\"}}}}; the action 'list' shows open games.");

    public sealed record GameList(IReadOnlyList<GameView> Games);

    /// <summary>The player and the game; a plain string is the player in game <c>default</c>.</summary>
    [PlainString(nameof(Player))]
    public sealed record SeatContext(
        [Name, CallerName, Description("Who plays."), Required(ErrorMessage = "is required, e.g. {\"game\": \"g1\", \"player\": \"ana\"}.")] string Player,
        [Name, ContextScope, Description("The game (default: default).")] string Game = DefaultGame);

    /// <summary>The game to read; a plain string (the player, as for play) reads game <c>default</c>.</summary>
    [PlainString(nameof(Player))]
    public sealed record GameContext(
        [Name, ContextScope, Description("The game (default: default).")] string Game = DefaultGame,
        [Name, Description("The reader; not needed to read.")] string? Player = null);

    /// <summary>
    /// The game to create. It is the action's context scope, so a key scoped to one game (<c>move:*:g1</c>) creates that
    /// game; a game named only in <c>data.id</c> or generated needs a scope on every game (<c>move:new</c>). A plain string
    /// (the player, as for play) names no game.
    /// </summary>
    [PlainString(nameof(Player))]
    public sealed record NewGameContext(
        [Name, ContextScope, Description("The game to create (default: data.id, else a generated id).")] string? Game = null,
        [Name, Description("Who creates it; not needed.")] string? Player = null);

    public sealed record NewGame([Name, Description("The game's id, when the context names none (default: a generated one).")] string? Id = null);

    [AnyOfRequired("cell")]
    [AnyOfRequired("row", "col")]
    public sealed record CellChoice(
        [Range(0, 8), Description("0-8, row by row.")] int? Cell = null,
        [Range(0, 2)] int? Row = null,
        [Range(0, 2)] int? Col = null);

    public sealed record GameListPage([Range(1, MaxListed)] int Limit = MaxListed);
}
