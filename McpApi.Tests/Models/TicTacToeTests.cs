using McpApi.Dispatching;
using McpApi.Models.Move;
using McpApi.Storage;

namespace McpApi.Tests.Models;

/// <summary>The tic-tac-toe rules on their own: seating, turns, wins, draws and every refused move.</summary>
public sealed class TicTacToeTests
{
    private static StoredGame Started() => TicTacToe.Join(TicTacToe.Join(TicTacToe.New("g1"), "ana"), "bob");

    private static StoredGame PlayAll(StoredGame game, params (string Player, int Cell)[] moves) =>
        moves.Aggregate(game, (g, m) => TicTacToe.Play(g, m.Player, m.Cell));

    [Fact]
    public void ANewGameWaitsAndTheFirstTwoPlayersTakeXThenOAndStartIt()
    {
        var game = TicTacToe.New("g1");
        var one = TicTacToe.Join(game, "ana");
        var two = TicTacToe.Join(one, "bob");

        game.Status.ShouldBe(TicTacToe.Waiting);
        one.PlayerX.ShouldBe("ana");
        one.Status.ShouldBe(TicTacToe.Waiting);
        TicTacToe.Turn(one).ShouldBeNull();
        two.PlayerO.ShouldBe("bob");
        two.Status.ShouldBe(TicTacToe.Playing);
        TicTacToe.Turn(two).ShouldBe("X");
        TicTacToe.Join(two, "ana").ShouldBeSameAs(two);
    }

    [Fact]
    public void AThirdPlayerIsRefusedWithGameFull()
    {
        var error = Should.Throw<RequestError>(() => TicTacToe.Join(Started(), "cy"));

        error.StatusCode.ShouldBe(409);
        error.Code.ShouldBe("game_full");
        error.Message.ShouldContain("ana as X");
    }

    [Fact]
    public void TurnsAlternateAndEachMoveLeavesTheOldGameUnchanged()
    {
        var start = Started();
        var after = TicTacToe.Play(start, "ana", 4);

        after.Board[4].ShouldBe("X");
        after.Moves.ShouldBe(1);
        TicTacToe.Turn(after).ShouldBe("O");
        start.Board[4].ShouldBeNull();
        start.Moves.ShouldBe(0);
    }

    [Theory]
    [InlineData(0, 1, 2)]
    [InlineData(2, 5, 8)]
    [InlineData(0, 4, 8)]
    [InlineData(2, 4, 6)]
    public void ThreeInALineWins(int a, int b, int c)
    {
        var others = Enumerable.Range(0, 9).Except([a, b, c]).Where(o => TicTacToe.WinnerOf(Board(o, a, b)) is null).Take(2).ToArray();

        var game = PlayAll(Started(), ("ana", a), ("bob", others[0]), ("ana", b), ("bob", others[1]), ("ana", c));

        game.Status.ShouldBe(TicTacToe.Won);
        game.Winner.ShouldBe("X");
        TicTacToe.Turn(game).ShouldBeNull();
    }

    [Fact]
    public void AFullBoardWithoutALineIsADraw()
    {
        // X O X / X O O / O X X
        var game = PlayAll(Started(), ("ana", 0), ("bob", 1), ("ana", 2), ("bob", 4), ("ana", 3), ("bob", 5), ("ana", 7), ("bob", 6), ("ana", 8));

        game.Status.ShouldBe(TicTacToe.Draw);
        game.Winner.ShouldBeNull();
        game.Moves.ShouldBe(9);
    }

    [Fact]
    public void RefusedMovesSayWhy()
    {
        var waiting = TicTacToe.Join(TicTacToe.New("g1"), "ana");
        var playing = TicTacToe.Play(Started(), "ana", 0);
        var won = PlayAll(Started(), ("ana", 0), ("bob", 3), ("ana", 1), ("bob", 4), ("ana", 2));

        Code(() => TicTacToe.Play(waiting, "ana", 0)).ShouldBe("game_not_started");
        Code(() => TicTacToe.Play(playing, "cy", 1)).ShouldBe("not_a_player");
        Code(() => TicTacToe.Play(playing, "ana", 1)).ShouldBe("not_your_turn");
        Code(() => TicTacToe.Play(playing, "bob", 0)).ShouldBe("cell_taken");
        Code(() => TicTacToe.Play(won, "bob", 8)).ShouldBe("game_over");
        Should.Throw<RequestError>(() => TicTacToe.Play(playing, "bob", 0)).Extra!["freeCells"].ShouldBe(new[] { 1, 2, 3, 4, 5, 6, 7, 8 });
    }

    private static string Code(Action play) => Should.Throw<RequestError>(play).Code;

    private static string?[] Board(params int[] xCells)
    {
        var board = new string?[9];
        foreach (var cell in xCells)
            board[cell] = "X";
        return board;
    }
}
