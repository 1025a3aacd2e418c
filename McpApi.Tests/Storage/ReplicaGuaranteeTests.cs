using System.Collections.Concurrent;
using System.Net;
using McpApi.Storage;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Storage;

/// <summary>
/// The storage guarantees the models rely on, held by two servers on one database (two replicas on one PostgreSQL
/// database, or two servers on one SQLite file): compare-and-set loses no update and never repeats a version, one move
/// per turn, chat ids that a reader following a room by cursor never misses. Runs on both providers:
/// <see cref="ReplicaGuaranteeTestsOnSqlite"/> and <see cref="ReplicaGuaranteeTestsOnPostgreSql"/>.
/// </summary>
public abstract class ReplicaGuaranteeTests : IDisposable
{
    private readonly McpApiApplication _a;
    private readonly McpApiApplication _b;
    private readonly HttpClient[] _clients;

    protected ReplicaGuaranteeTests(TestStorage storage)
    {
        _a = new McpApiApplication(storage);
        _b = new McpApiApplication(storage, _a.ConnectionString);
        _clients = [_a.CreateClient(), _b.CreateClient()];
    }

    public void Dispose()
    {
        _b.Dispose();
        _a.Dispose();
        GC.SuppressFinalize(this);
    }

    private T Store<T>(int server) where T : notnull => (server % 2 == 0 ? _a : _b).Services.GetRequiredService<T>();

    [Fact]
    public async Task FiftyParallelCompareAndSetIncrementsOnTwoServersEndAtFifty()
    {
        var versions = new ConcurrentBag<long>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var client = _clients[i % 2];
            while (true)
            {
                var read = await client.PostEnvelopeAsync(new { model = "state", action = "get", context = "counters", data = new { key = "hits" } });
                var (value, version) = read.StatusCode == HttpStatusCode.NotFound
                    ? (0, 0L)
                    : (read.Data.GetProperty("value").GetInt32(), read.Data.GetProperty("version").GetInt64());
                var write = await client.PostEnvelopeAsync(new { model = "state", action = "set", context = "counters", data = new { key = "hits", value = value + 1, ifVersion = version } });
                if (write.StatusCode == HttpStatusCode.OK)
                {
                    versions.Add(write.Data.GetProperty("version").GetInt64());
                    return;
                }
                write.StatusCode.ShouldBe(HttpStatusCode.Conflict, write.ToString());
            }
        });

        var final = await _clients[0].PostEnvelopeAsync(new { model = "state", action = "get", context = "counters", data = new { key = "hits" } });
        final.Data.GetProperty("value").GetInt32().ShouldBe(50);
        final.Data.GetProperty("version").GetInt64().ShouldBe(50);
        versions.Order().ShouldBe(Enumerable.Range(1, 50).Select(v => (long)v));
    }

    [Fact]
    public async Task VersionsNeverRepeatWhileTwoServersWriteAndDeleteOneKey()
    {
        var written = new ConcurrentBag<long>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 60), new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (i, ct) =>
        {
            var store = Store<IStateStore>(i);
            if (i % 3 == 2)
            {
                await store.DeleteAsync("ns", "k", null, null, ct);
                return;
            }
            var result = await store.SetAsync("ns", "k", $"{i}", null, null, ct);
            written.Add(result.Entry!.Version);
        });

        written.Count.ShouldBe(40);
        written.Distinct().Count().ShouldBe(40, $"versions handed out twice: {string.Join(",", written.Order())}");
    }

    [Fact]
    public async Task FortyConcurrentPlaysOnTwoServersAcceptOneMovePerTurn()
    {
        var client = _clients[0];
        (await client.PostEnvelopeAsync(new { model = "move", action = "new", data = new { id = "race" } })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await client.PostEnvelopeAsync(new { model = "move", action = "join", context = new { game = "race", player = "ana" } });
        await client.PostEnvelopeAsync(new { model = "move", action = "join", context = new { game = "race", player = "bob" } });
        var accepted = new ConcurrentBag<(string Player, int Cell, int Moves)>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (i, ct) =>
        {
            var player = i % 2 == 0 ? "ana" : "bob";
            var cell = i / 2 % 9;
            var reply = await _clients[i / 2 % 2].PostEnvelopeAsync(new { model = "move", action = "play", context = new { game = "race", player }, data = new { cell } });
            if (reply.StatusCode == HttpStatusCode.OK)
                accepted.Add((player, cell, reply.Data.GetProperty("moves").GetInt32()));
            else
                reply.StatusCode.ShouldBe(HttpStatusCode.Conflict, reply.ToString());
        });

        var game = (await client.PostEnvelopeAsync(new { model = "move", action = "get", context = new { game = "race" } })).Data;
        var moves = game.GetProperty("moves").GetInt32();
        accepted.Count.ShouldBe(moves);
        accepted.Select(a => a.Moves).Order().ShouldBe(Enumerable.Range(1, moves));
        accepted.Select(a => a.Cell).Distinct().Count().ShouldBe(moves);
        foreach (var (player, cell, number) in accepted)
        {
            // X (ana) plays the odd-numbered moves, O (bob) the even ones, each on the cell it asked for.
            player.ShouldBe(number % 2 == 1 ? "ana" : "bob");
            game.GetProperty("board")[cell].GetString().ShouldBe(player == "ana" ? "X" : "O");
        }
    }

    [Fact]
    public async Task AReaderFollowingARoomByCursorMissesNoMessageWhileTwoServersAppend()
    {
        var appended = new ConcurrentBag<long>();
        var published = new[] { new ConcurrentQueue<long>(), new ConcurrentQueue<long>() };
        var seen = new List<long>();
        using var done = new CancellationTokenSource();

        var reader = Task.Run(async () =>
        {
            var store = Store<IChatStore>(0);
            long cursor = 0;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                var page = await store.HistoryAsync("busy", null, cursor, 500, CancellationToken.None);
                seen.AddRange(page.Select(m => m.Id));
                cursor = page.Count > 0 ? page[^1].Id : cursor;
                if (finished && page.Count == 0)
                    return;
            }
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var message = await Store<IChatStore>(i).AppendAsync("busy", "ana", $"m{i}", m => published[i % 2].Enqueue(m.Id), ct);
            appended.Add(message.Id);
        });
        await done.CancelAsync();
        await reader;

        seen.ShouldBe(appended.Order().ToList(), "a reader that moves its cursor past an id must never find a smaller id committed later");
        foreach (var events in published)
            events.ToList().ShouldBe(events.Order().ToList(), "each server announces a room's messages in id order");
    }
}

public sealed class ReplicaGuaranteeTestsOnSqlite() : ReplicaGuaranteeTests(TestStorage.Sqlite);

public sealed class ReplicaGuaranteeTestsOnPostgreSql() : ReplicaGuaranteeTests(TestStorage.PostgreSql);
