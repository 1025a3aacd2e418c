using System.Net;
using System.Text.Json;
using McpApi.Events;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Models;

/// <summary>Runs on both storage providers: <see cref="MoveModelTestsOnSqlite"/> and <see cref="MoveModelTestsOnPostgreSql"/>.</summary>
public abstract class MoveModelTests : IDisposable
{
    private readonly McpApiApplication _app;
    private readonly HttpClient _client;

    protected MoveModelTests(TestStorage storage)
    {
        _app = new(storage);
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task<EnvelopeReply> Move(string action, object? context = null, object? data = null) =>
        _client.PostEnvelopeAsync(new { model = "move", action, context, data });

    private Task<EnvelopeReply> Play(string game, string player, int cell) =>
        Move("play", new { game, player }, new { cell });

    /// <summary>A new game with ana as X and bob as O.</summary>
    private async Task StartAsync(string game)
    {
        (await Move("new", data: new { id = game })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Move("join", new { game, player = "ana" });
        (await Move("join", new { game, player = "bob" })).Data.GetProperty("status").GetString().ShouldBe("playing");
    }

    [Theory]
    [InlineData("""{"cell":4,"row":1}""", "data.col")]
    [InlineData("""{"cell":4,"col":1}""", "data.row")]
    public async Task ARowWithoutAColumnOrAColumnWithoutARowIsA422(string data, string field)
    {
        await StartAsync("halfrowcol");

        var reply = await _app.CreateClient().PostRawAsync($$"""{"model":"move","action":"play","context":{"game":"halfrowcol","player":"ana"},"data":{{data}}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Data.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(reply.ToString());
    }

    [Fact]
    public async Task NewCreatesAnEmptyGameWaitingForPlayers()
    {
        var reply = await Move("new", data: new { id = "g1" });

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Data.GetRawText().ShouldBe(
            """{"id":"g1","board":[null,null,null,null,null,null,null,null,null],"players":{"X":null,"O":null},"turn":null,"status":"waiting","winner":null,"moves":0}""");
    }

    [Fact]
    public async Task NewWithoutAnIdGeneratesOneAndATakenIdIs409()
    {
        var generated = await Move("new");
        await Move("new", data: new { id = "taken" });
        var taken = await Move("new", data: new { id = "taken" });

        generated.Data.GetProperty("id").GetString()!.ShouldStartWith("g-");
        taken.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        taken.Code.ShouldBe("game_exists");
    }

    [Fact]
    public async Task PlayersJoinAsXThenORejoinKeepsTheSeatAndAThirdPlayerIs409GameFull()
    {
        await Move("new", data: new { id = "seats" });

        var x = await Move("join", new { game = "seats", player = "ana" });
        var rejoin = await Move("join", new { game = "seats", player = "ana" });
        var o = await Move("join", new { game = "seats", player = "bob" });
        var third = await Move("join", new { game = "seats", player = "cy" });

        x.Data.GetProperty("players").GetRawText().ShouldBe("""{"X":"ana","O":null}""");
        x.Data.GetProperty("status").GetString().ShouldBe("waiting");
        rejoin.Data.GetProperty("players").GetRawText().ShouldBe("""{"X":"ana","O":null}""");
        o.Data.GetProperty("players").GetRawText().ShouldBe("""{"X":"ana","O":"bob"}""");
        o.Data.GetProperty("status").GetString().ShouldBe("playing");
        o.Data.GetProperty("turn").GetString().ShouldBe("X");
        third.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        third.Code.ShouldBe("game_full");
        third.Message.ShouldContain("ana");
    }

    [Fact]
    public async Task PlayingPlacesMarksInTurnByCellOrByRowAndColumn()
    {
        await StartAsync("turns");

        var first = await Play("turns", "ana", 4);
        var second = await Move("play", new { game = "turns", player = "bob" }, new { row = 0, col = 2 });

        first.Data.GetProperty("board")[4].GetString().ShouldBe("X");
        first.Data.GetProperty("turn").GetString().ShouldBe("O");
        second.Data.GetProperty("board")[2].GetString().ShouldBe("O");
        second.Data.GetProperty("moves").GetInt32().ShouldBe(2);
        second.Data.GetProperty("turn").GetString().ShouldBe("X");
    }

    public static TheoryData<int[]> Lines => new()
    {
        new[] { 0, 1, 2 }, new[] { 3, 4, 5 }, new[] { 6, 7, 8 },
        new[] { 0, 3, 6 }, new[] { 1, 4, 7 }, new[] { 2, 5, 8 },
        new[] { 0, 4, 8 }, new[] { 2, 4, 6 },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task ThreeInALineWinsForEveryOneOfTheEightLines(int[] line)
    {
        var game = "line" + string.Concat(line);
        await StartAsync(game);
        using var events = _app.Services.GetRequiredService<IEventHub>().Subscribe([$"move:{game}"], 20);
        var others = Enumerable.Range(0, 9).Except(line).ToArray();
        // O's two cells never line up with a third O, so only X can win.
        var oCells = new[] { others[0], others[^1] };

        await Play(game, "ana", line[0]);
        await Play(game, "bob", oCells[0]);
        await Play(game, "ana", line[1]);
        await Play(game, "bob", oCells[1]);
        var win = await Play(game, "ana", line[2]);

        win.StatusCode.ShouldBe(HttpStatusCode.OK, win.ToString());
        win.Data.GetProperty("status").GetString().ShouldBe("won");
        win.Data.GetProperty("winner").GetString().ShouldBe("X");
        win.Data.GetProperty("turn").ValueKind.ShouldBe(JsonValueKind.Null);
        win.Message.ShouldContain("X ('ana') wins");
        var types = new List<string>();
        while (events.Reader.TryRead(out var e))
            types.Add(e.Type);
        types.ShouldBe(["move.played", "move.played", "move.played", "move.played", "move.played", "move.finished"]);
    }

    [Fact]
    public async Task TakingASeatPublishesMoveJoinedButJoiningAgainDoesNot()
    {
        await Move("new", new { game = "seats", player = "ana" }, new { id = "seats" });
        using var events = _app.Services.GetRequiredService<IEventHub>().Subscribe(["move:seats"], 20);

        await Move("join", new { game = "seats", player = "ana" });
        await Move("join", new { game = "seats", player = "ana" });
        await Move("join", new { game = "seats", player = "bob" });

        var joined = new List<ModelEvent>();
        while (events.Reader.TryRead(out var e))
            joined.Add(e);
        joined.Select(e => e.Type).ShouldBe(["move.joined", "move.joined"]);
        var started = McpApi.Envelopes.EnvelopeJson.ToElement(joined[^1].Data);
        started.GetProperty("status").GetString().ShouldBe("playing");
        started.GetProperty("players").GetProperty("O").GetString().ShouldBe("bob");
    }

    [Fact]
    public async Task OCanWinToo()
    {
        await StartAsync("owins");
        foreach (var (player, cell) in new[] { ("ana", 0), ("bob", 3), ("ana", 1), ("bob", 4), ("ana", 8) })
            await Play("owins", player, cell);

        var win = await Play("owins", "bob", 5);

        win.Data.GetProperty("winner").GetString().ShouldBe("O");
        win.Data.GetProperty("status").GetString().ShouldBe("won");
    }

    [Fact]
    public async Task AFullBoardWithoutALineIsADraw()
    {
        await StartAsync("draw");
        EnvelopeReply last = null!;
        // X O X / X O O / O X X
        foreach (var (player, cell) in new[] { ("ana", 0), ("bob", 1), ("ana", 2), ("bob", 4), ("ana", 3), ("bob", 5), ("ana", 7), ("bob", 6), ("ana", 8) })
            last = await Play("draw", player, cell);

        last.Data.GetProperty("status").GetString().ShouldBe("draw");
        last.Data.GetProperty("winner").ValueKind.ShouldBe(JsonValueKind.Null);
        last.Data.GetProperty("moves").GetInt32().ShouldBe(9);
        last.Message.ShouldContain("draw");
    }

    [Fact]
    public async Task EveryRuleBreakIsAnErrorWithItsOwnCode()
    {
        await Move("new", data: new { id = "rules" });
        await Move("join", new { game = "rules", player = "ana" });
        var notStarted = await Play("rules", "ana", 0);
        await Move("join", new { game = "rules", player = "bob" });
        var notYourTurn = await Play("rules", "bob", 0);
        var stranger = await Play("rules", "eve", 0);
        await Play("rules", "ana", 0);
        var taken = await Play("rules", "bob", 0);
        var unknown = await Play("nope", "ana", 0);

        notStarted.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        notStarted.Code.ShouldBe("game_not_started");
        notYourTurn.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        notYourTurn.Code.ShouldBe("not_your_turn");
        notYourTurn.Message.ShouldContain("X's turn");
        stranger.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        stranger.Code.ShouldBe("not_a_player");
        taken.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        taken.Code.ShouldBe("cell_taken");
        taken.Data.GetProperty("freeCells").GetArrayLength().ShouldBe(8);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.Code.ShouldBe("game_not_found");
    }

    [Fact]
    public async Task PlayingAFinishedGameIs409GameOver()
    {
        await StartAsync("over");
        foreach (var (player, cell) in new[] { ("ana", 0), ("bob", 3), ("ana", 1), ("bob", 4), ("ana", 2) })
            await Play("over", player, cell);

        var reply = await Play("over", "bob", 8);

        reply.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        reply.Code.ShouldBe("game_over");
        reply.Message.ShouldContain("X won");
    }

    [Theory]
    [InlineData("""{"cell":9}""", "data.cell")]
    [InlineData("""{"cell":-1}""", "data.cell")]
    [InlineData("""{"row":3,"col":0}""", "data.row")]
    [InlineData("""{"row":0}""", "data")]
    [InlineData("""{"cell":1,"row":2,"col":2}""", "data.cell")]
    public async Task CellsOutsideTheBoardAre422(string data, string field)
    {
        await StartAsync("range");

        var reply = await _client.PostRawAsync($$"""{"model":"move","action":"play","context":{"game":"range","player":"ana"},"data":{{data}}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Data.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(reply.ToString());
    }

    [Fact]
    public async Task MissingOrInvalidPlayerAndGameNamesAre422()
    {
        var noPlayer = await Move("join", new { game = "g" });
        var badGame = await Move("get", new { game = "bad id!" });

        noPlayer.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        noPlayer.Data.GetProperty("errors").TryGetProperty("context.player", out _).ShouldBeTrue();
        badGame.Data.GetProperty("errors").TryGetProperty("context.game", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task ABareStringContextIsThePlayerInTheDefaultGame()
    {
        await Move("new", data: new { id = "default" });

        var joined = await Move("join", "ana");
        var got = await Move("get", "whoever");

        joined.Data.GetProperty("id").GetString().ShouldBe("default");
        got.Data.GetProperty("players").GetProperty("X").GetString().ShouldBe("ana");
    }

    [Fact]
    public async Task GetReturnsTheGameAndListShowsOnlyOpenAndRunningGames()
    {
        await Move("new", data: new { id = "open" });
        await StartAsync("running");
        await StartAsync("finished");
        foreach (var (player, cell) in new[] { ("ana", 0), ("bob", 3), ("ana", 1), ("bob", 4), ("ana", 2) })
            await Play("finished", player, cell);

        var got = await Move("get", new { game = "finished" });
        var list = await Move("list");
        var missing = await Move("get", new { game = "missing" });

        got.Data.GetProperty("winner").GetString().ShouldBe("X");
        list.Data.GetProperty("games").EnumerateArray().Select(g => g.GetProperty("id").GetString()).Order()
            .ShouldBe(["open", "running"]);
        missing.Code.ShouldBe("game_not_found");
    }

    [Fact]
    public async Task ConcurrentPlaysNeverCorruptAGame()
    {
        await StartAsync("race");

        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Play("race", i % 2 == 0 ? "ana" : "bob", i % 9)));

        replies.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK || r.StatusCode == HttpStatusCode.Conflict);
        var game = (await Move("get", new { game = "race" })).Data;
        var board = game.GetProperty("board").EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null ? null : c.GetString()).ToArray();
        var moves = game.GetProperty("moves").GetInt32();
        var xs = board.Count(c => c == "X");
        var os = board.Count(c => c == "O");
        replies.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(moves);
        (xs + os).ShouldBe(moves);
        (xs - os).ShouldBeInRange(0, 1);
    }
}

public sealed class MoveModelTestsOnSqlite() : MoveModelTests(TestStorage.Sqlite);

public sealed class MoveModelTestsOnPostgreSql() : MoveModelTests(TestStorage.PostgreSql);
