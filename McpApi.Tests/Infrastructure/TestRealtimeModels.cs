using System.Collections.Concurrent;
using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Events;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// Test-only stand-in for the chat model with the agreed contract: <c>send</c> (default) publishes <c>chat.message</c>
/// on <c>chat:{room}</c> with the message id as cursor; <c>history</c> answers <c>{room, messages}</c> after an id.
/// </summary>
internal sealed class TestChatModel(IEventPublisher events) : IModelHandler
{
    private readonly ConcurrentQueue<ChatMessage> _messages = new();
    private long _lastId;

    public string Name => "chat";

    public string Description => "Test chat.";

    public IReadOnlyList<ModelAction> Actions =>
    [
        new("send", "Posts a message.", """{"type":"string","minLength":1}""", (call, _) =>
        {
            var room = call.Context.Get("room") ?? "lobby";
            var message = new ChatMessage(Interlocked.Increment(ref _lastId), room, call.Context.GetOrText("user") ?? "anonymous",
                call.Data.GetString()!, DateTimeOffset.UtcNow);
            _messages.Enqueue(message);
            events.Publish(new ModelEvent("chat.message", $"chat:{room}", message, message.Id));
            return ValueTask.FromResult(new ModelResult("Message sent", message));
        }),
        new("history", "Messages after an id.", "{}", (call, _) =>
        {
            var room = call.Context.Get("room") ?? "lobby";
            var after = call.Data.ValueKind == JsonValueKind.Object && call.Data.TryGetProperty("after", out var a) ? a.GetInt64() : 0;
            var limit = call.Data.ValueKind == JsonValueKind.Object && call.Data.TryGetProperty("limit", out var l) ? l.GetInt32() : 50;
            var messages = _messages.Where(m => m.Room == room && m.Id > after).OrderBy(m => m.Id).Take(limit).ToArray();
            return ValueTask.FromResult(new ModelResult($"{messages.Length} messages", new { room, messages }));
        }) { ReadOnly = true },
    ];

    public sealed record ChatMessage(long Id, string Room, string User, string Text, DateTimeOffset SentAt);
}

/// <summary>Test-only stand-in for the tic-tac-toe model (agreed envelope and game shape, in memory).</summary>
internal sealed class TestMoveModel(IEventPublisher events) : IModelHandler
{
    private readonly ConcurrentDictionary<string, Game> _games = new();
    private int _next;

    public string Name => "move";

    public string Description => "Test tic-tac-toe.";

    public IReadOnlyList<ModelAction> Actions =>
    [
        new("new", "Creates a game.", "{}", (call, _) =>
        {
            var id = call.Data.ValueKind == JsonValueKind.Object && call.Data.TryGetProperty("id", out var given) ? given.GetString()! : $"g{Interlocked.Increment(ref _next)}";
            var game = new Game { Id = id };
            game.Players["X"] = call.Context.Get("player");
            _games[id] = game;
            return Ok("Game created", game);
        }),
        new("join", "Joins as O.", "{}", (call, _) =>
        {
            var game = Find(call);
            lock (game)
            {
                game.Players["O"] = call.Context.Get("player");
                game.Status = "playing";
            }
            return Ok("Joined", game);
        }),
        new("play", "Plays a cell.", """{"type":"object","properties":{"cell":{"type":"integer","minimum":0,"maximum":8}},"required":["cell"]}""", (call, _) =>
        {
            var game = Find(call);
            lock (game)
            {
                var player = call.Context.Get("player");
                var mark = game.Players.FirstOrDefault(p => p.Value == player).Key
                    ?? throw RequestError.Forbidden("not_a_player", $"{player} does not play in {game.Id}.");
                if (game.Status != "playing" || game.Turn != mark)
                    throw RequestError.Conflict("not_your_turn", $"It is {game.Turn}'s turn.");
                var cell = call.Data.GetProperty("cell").GetInt32();
                if (game.Board[cell] is not null)
                    throw RequestError.Conflict("cell_taken", $"Cell {cell} is taken.");
                game.Board[cell] = mark;
                game.Moves++;
                game.Turn = mark == "X" ? "O" : "X";
                if (game.Moves == 9)
                    game.Status = "draw";
                events.Publish(new ModelEvent("move.played", $"move:{game.Id}", game));
            }
            return Ok("Played", game);
        }),
        new("get", "Reads a game.", "{}", (call, _) => Ok("Game", Find(call))) { ReadOnly = true },
    ];

    private Game Find(ModelCall call) =>
        _games.TryGetValue(call.Context.Get("game") ?? "", out var game) ? game : throw RequestError.NotFound("game_not_found", "No such game.");

    private static ValueTask<ModelResult> Ok(string message, Game game) => ValueTask.FromResult(new ModelResult(message, game));

    public sealed class Game
    {
        public required string Id { get; init; }
        public string?[] Board { get; } = new string?[9];
        public Dictionary<string, string?> Players { get; } = new() { ["X"] = null, ["O"] = null };
        public string Turn { get; set; } = "X";
        public string Status { get; set; } = "waiting";
        public string? Winner { get; set; }
        public int Moves { get; set; }
    }
}

/// <summary>Publishes <c>count</c> events of about <c>size</c> characters on a topic at once: for slow-consumer tests.</summary>
internal sealed class FloodModel(IEventPublisher events) : IModelHandler
{
    public string Name => "flood";

    public string Description => "Test-only event flood.";

    public IReadOnlyList<ModelAction> Actions =>
    [
        new("publish", "Publishes many events, in batches with a pause between.", "{}", async (call, ct) =>
        {
            var topic = call.Data.GetProperty("topic").GetString()!;
            var count = call.Data.GetProperty("count").GetInt32();
            var batch = call.Data.TryGetProperty("batch", out var b) ? b.GetInt32() : count;
            var pause = call.Data.TryGetProperty("pauseMs", out var p) ? p.GetInt32() : 0;
            var padding = new string('x', call.Data.GetProperty("size").GetInt32());
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var longestPublish = TimeSpan.Zero;
            for (var i = 1; i <= count; i++)
            {
                var start = clock.Elapsed;
                events.Publish(new ModelEvent("flood.item", topic, new { n = i, padding }));
                longestPublish = TimeSpan.FromTicks(Math.Max(longestPublish.Ticks, (clock.Elapsed - start).Ticks));
                if (i % batch == 0 && pause > 0)
                    await Task.Delay(pause, ct);
            }
            return new ModelResult($"Published {count}", new { count, longestPublishMs = longestPublish.TotalMilliseconds });
        }),
    ];
}
