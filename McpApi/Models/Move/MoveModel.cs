using System.Text.Json.Nodes;
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
            new("new", "Creates a game waiting for players (data.id names it; a generated id otherwise). Then two players 'join' and 'play'.",
                $$$"""
                {"type":["object","null"],"properties":{"id":{{{ModelInput.NameSchema}}}},"additionalProperties":false}
                """, NewAsync)
            {
                ExampleData = new JsonObject { ["id"] = "g1" },
            },
            new("join", "Takes the free seat of the context's game: X first, then O (the game starts). Joining again returns your seat.",
                ModelInput.NoDataSchema, JoinAsync)
            {
                ExampleContext = new JsonObject { ["game"] = "g1", ["player"] = "ana" },
                Idempotent = true,
            },
            new("play", "Puts your mark in a cell: {\"cell\": 0-8} (row by row) or {\"row\": 0-2, \"col\": 0-2}. Returns the game, with the winner or a draw when it ends.",
                """
                {"type":"object","properties":{
                  "cell":{"type":"integer","minimum":0,"maximum":8,"description":"0-8, row by row."},
                  "row":{"type":"integer","minimum":0,"maximum":2},
                  "col":{"type":"integer","minimum":0,"maximum":2}},
                 "anyOf":[{"required":["cell"]},{"required":["row","col"]}],
                 "additionalProperties":false}
                """, PlayAsync)
            {
                ExampleContext = new JsonObject { ["game"] = "g1", ["player"] = "ana" },
                ExampleData = new JsonObject { ["cell"] = 4 },
            },
            new("get", "Returns the context's game.", ModelInput.NoDataSchema, GetAsync)
            {
                ExampleContext = new JsonObject { ["game"] = "g1" },
                ReadOnly = true,
                Idempotent = true,
            },
            new("list", $"Lists games waiting for a player or being played, most recently changed first (at most {MaxListed}).",
                $$$"""
                {"type":["object","null"],"properties":{"limit":{"type":"integer","minimum":1,"maximum":{{{MaxListed}}},"default":{{{MaxListed}}}}},"additionalProperties":false}
                """, ListAsync)
            {
                ReadOnly = true,
                Idempotent = true,
            },
        ];
    }

    public string Name => "move";

    public string Description => "Turn-based tic-tac-toe: create a game, join it (X, then O), play cells, watch for the winner (context: {\"game\", \"player\"}).";

    public IReadOnlyList<ModelAction> Actions { get; }

    private async ValueTask<ModelResult> NewAsync(ModelCall call, CancellationToken ct)
    {
        var id = ModelInput.OptionalString(call.Data, "id") ?? "g-" + Guid.NewGuid().ToString("N")[..10];
        if (!await _store.CreateAsync(TicTacToe.New(id), ct))
            throw RequestError.Conflict("game_exists", $"A game named '{id}' already exists. Pick another id, or leave it out to get a generated one.");
        var game = await _store.GetAsync(id, ct) ?? throw NotFound(id);
        return new ModelResult($"Game '{id}' created; waiting for players X and O to join.", GameView.From(game));
    }

    private async ValueTask<ModelResult> JoinAsync(ModelCall call, CancellationToken ct)
    {
        var (id, player) = Seat(call);
        var game = await _store.UpdateAsync(id, g => TicTacToe.Join(g, player), (before, after) =>
        {
            if (before.PlayerX != after.PlayerX || before.PlayerO != after.PlayerO)
                _events.Publish(new ModelEvent("move.joined", $"move:{id}", GameView.From(after)));
        }, ct) ?? throw NotFound(id);
        var seat = TicTacToe.SeatOf(game, player);
        return new ModelResult(game.Status == TicTacToe.Playing && seat == "O"
            ? $"'{player}' plays O in game '{id}'; the game has started and X moves first."
            : $"'{player}' plays {seat} in game '{id}'{(game.PlayerO is null ? "; waiting for O to join" : "")}.", GameView.From(game));
    }

    private async ValueTask<ModelResult> PlayAsync(ModelCall call, CancellationToken ct)
    {
        var (id, player) = Seat(call);
        var cell = Cell(call);
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
        return new ModelResult(message, GameView.From(game));
    }

    private async ValueTask<ModelResult> GetAsync(ModelCall call, CancellationToken ct)
    {
        var id = GameId(call);
        var game = await _store.GetAsync(id, ct) ?? throw NotFound(id);
        return new ModelResult($"Game '{id}' is {game.Status}.", GameView.From(game));
    }

    private async ValueTask<ModelResult> ListAsync(ModelCall call, CancellationToken ct)
    {
        var limit = (int)(ModelInput.OptionalLong(call.Data, "limit") ?? MaxListed);
        var games = await _store.ListActiveAsync(limit, ct);
        return new ModelResult($"{games.Count} open or running game(s).", new GameList([.. games.Select(GameView.From)]));
    }

    private static string GameId(ModelCall call)
    {
        var id = ModelInput.FromContext(call, "game", textIsThisKey: false) ?? DefaultGame;
        var errors = new FieldErrors();
        ModelInput.CheckName(id, "context.game", errors, "{\"game\": \"g1\"}");
        errors.ThrowIfAny("The game id is invalid");
        return id;
    }

    private static (string Game, string Player) Seat(ModelCall call)
    {
        var errors = new FieldErrors();
        var id = ModelInput.FromContext(call, "game", textIsThisKey: false) ?? DefaultGame;
        var player = ModelInput.FromContext(call, "player", textIsThisKey: true);
        ModelInput.CheckName(id, "context.game", errors, "{\"game\": \"g1\"}");
        ModelInput.CheckName(player, "context.player", errors, "{\"game\": \"g1\", \"player\": \"ana\"}");
        errors.ThrowIfAny("The context must name the game and the player");
        return (id, player!);
    }

    private static int Cell(ModelCall call)
    {
        var cell = ModelInput.OptionalLong(call.Data, "cell");
        var row = ModelInput.OptionalLong(call.Data, "row");
        var col = ModelInput.OptionalLong(call.Data, "col");
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
        RequestError.NotFound("game_not_found", $"There is no game '{id}'. Create it with {{\"model\":\"move\",\"action\":\"new\",\"data\":{{\"id\":\"{id}\"}}}}; 'list' shows open games.");

    public sealed record GameList(IReadOnlyList<GameView> Games);
}
