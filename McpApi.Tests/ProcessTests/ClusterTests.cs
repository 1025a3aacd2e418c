using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// The CI cluster: deploy/local-cluster.sh (three published replicas, PostgreSQL storage, Redis backplane, nginx round
/// robin), exercised through the balancer as clients would.
/// </summary>
public sealed class ClusterTests(LocalCluster cluster) : IClassFixture<LocalCluster>
{
    private HttpClient Balancer() => new() { BaseAddress = cluster.Url, Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task AChatMessagePostedThroughTheBalancerReachesWebSocketSseAndTcpSubscribersOnEveryReplica()
    {
        var sockets = new List<WsTestClient>();
        var streams = new List<StreamReader>();
        using var sse = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var tcps = new List<TcpTestClient>();
        try
        {
            foreach (var replica in cluster.Replicas)
            {
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(new Uri($"ws://{replica.Authority}/mcp/ws"), CancellationToken.None);
                var ws = new WsTestClient(socket);
                sockets.Add(ws);
                (await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "chat:cluster" } } })).GetProperty("status").GetString().ShouldBe("success");
                var stream = new StreamReader(await sse.GetStreamAsync(new Uri(replica, "/mcp/events?topics=chat:cluster")));
                streams.Add(stream);
                while (await stream.ReadLineAsync() is { } line && !line.StartsWith("data:", StringComparison.Ordinal))
                {
                }
                // Through the balancer: the stream module hands the three connections to the three replicas in turn.
                var tcp = await TcpTestClient.ConnectAsync(cluster.TcpPort);
                tcps.Add(tcp);
                (await tcp.ReplyAsync("""{"model":"subscribe","data":{"topics":["chat:cluster"]}}""")).GetProperty("status").GetString().ShouldBe("success");
            }

            using var client = Balancer();
            var ids = new List<long>();
            foreach (var text in new[] { "one", "two", "three" })
                ids.Add((await client.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "cluster" }, data = text })).Data.GetProperty("id").GetInt64());

            foreach (var ws in sockets)
                foreach (var id in ids)
                    (await ws.NextEventAsync(TimeSpan.FromSeconds(15))).GetProperty("cursor").GetInt64().ShouldBe(id);
            foreach (var tcp in tcps)
                foreach (var id in ids)
                    (await tcp.NextEventAsync()).GetProperty("cursor").GetInt64().ShouldBe(id);
            foreach (var stream in streams)
            {
                var seen = new List<long>();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                while (seen.Count < ids.Count && await stream.ReadLineAsync(timeout.Token) is { } line)
                {
                    if (line.StartsWith("id:", StringComparison.Ordinal))
                        seen.Add(long.Parse(line[(line.LastIndexOf('=') + 1)..].Trim())); // id: chat:cluster=<cursor>
                }
                seen.ShouldBe(ids);
            }
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
            streams.ForEach(s => s.Dispose());
            tcps.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task FiftyParallelCompareAndSetIncrementsThroughTheBalancerEndAtFifty()
    {
        using var client = Balancer();
        await Parallel.ForEachAsync(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
        {
            while (true)
            {
                var read = await client.PostEnvelopeAsync(new { model = "state", action = "get", context = "cluster", data = new { key = "hits" } });
                var (value, version) = read.StatusCode == HttpStatusCode.NotFound ? (0, 0L)
                    : (read.Data.GetProperty("value").GetInt32(), read.Data.GetProperty("version").GetInt64());
                var write = await client.PostEnvelopeAsync(new { model = "state", action = "set", context = "cluster", data = new { key = "hits", value = value + 1, ifVersion = version } });
                if (write.StatusCode == HttpStatusCode.OK)
                    return;
                write.StatusCode.ShouldBe(HttpStatusCode.Conflict, write.ToString());
            }
        });

        var final = await client.PostEnvelopeAsync(new { model = "state", action = "get", context = "cluster", data = new { key = "hits" } });
        final.Data.GetProperty("value").GetInt32().ShouldBe(50);
        final.Data.GetProperty("version").GetInt64().ShouldBe(50);
    }

    [Fact]
    public async Task FortyConcurrentPlaysThroughTheBalancerAcceptOneMovePerTurn()
    {
        using var client = Balancer();
        await client.PostEnvelopeAsync(new { model = "move", action = "new", data = new { id = "cluster-race" } });
        await client.PostEnvelopeAsync(new { model = "move", action = "join", context = new { game = "cluster-race", player = "ana" } });
        await client.PostEnvelopeAsync(new { model = "move", action = "join", context = new { game = "cluster-race", player = "bob" } });
        var accepted = new ConcurrentBag<int>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (i, _) =>
        {
            var reply = await client.PostEnvelopeAsync(new { model = "move", action = "play", context = new { game = "cluster-race", player = i % 2 == 0 ? "ana" : "bob" }, data = new { cell = i / 2 % 9 } });
            if (reply.StatusCode == HttpStatusCode.OK)
                accepted.Add(reply.Data.GetProperty("moves").GetInt32());
            else
                reply.StatusCode.ShouldBe(HttpStatusCode.Conflict, reply.ToString());
        });

        var moves = (await client.PostEnvelopeAsync(new { model = "move", action = "get", context = new { game = "cluster-race" } })).Data.GetProperty("moves").GetInt32();
        accepted.Order().ShouldBe(Enumerable.Range(1, moves));
    }

    [Fact]
    public async Task KillingOneReplicaDuringWritesLosesNoAcknowledgedWrite()
    {
        using var client = Balancer();
        var acknowledged = new ConcurrentBag<long>();
        var failed = 0;
        var victim = cluster.Pids[2]; // redis, then replicas 1..3, then nginx: replica 2

        await Parallel.ForEachAsync(Enumerable.Range(0, 120), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            if (i == 40)
                using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", victim.ToString()])) { await kill.WaitForExitAsync(); }
            try
            {
                // A request in flight on the killed replica gets nginx's 502 (a POST is never replayed elsewhere).
                using var response = await client.PostAsync("/mcp", System.Net.Http.Json.JsonContent.Create(new { model = "notes", action = "add", context = "killed", data = $"note {i}" }));
                if (response.StatusCode == HttpStatusCode.OK)
                    acknowledged.Add((await EnvelopeClient.ReadJsonAsync(response)).GetProperty("data").GetProperty("id").GetInt64());
                else
                    Interlocked.Increment(ref failed);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref failed);
            }
        });

        // The balancer routes around the dead replica: every request after it is gone is answered.
        var after = await client.PostEnvelopeAsync(new { model = "notes", action = "add", context = "killed", data = "after" });
        after.StatusCode.ShouldBe(HttpStatusCode.OK, after.ToString());
        acknowledged.Add(after.Data.GetProperty("id").GetInt64());
        var listed = await client.PostEnvelopeAsync(new { model = "notes", action = "list", context = "killed", data = new { limit = 500 } });
        var stored = listed.Data.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()).ToHashSet();
        acknowledged.ShouldAllBe(id => stored.Contains(id), "an acknowledged write was lost");
        (acknowledged.Count + failed).ShouldBe(121);
        failed.ShouldBeLessThan(9, "only the requests in flight on the killed replica may fail");
    }
}
