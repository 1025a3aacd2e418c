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
    public async Task AnMcpClientThroughTheBalancerKeepsItsSessionOnEveryReplicaAndItsSubscriptionFiresForWritesOnAnyReplica()
    {
        var result = await ExternalProcess.RunAsync(NodeTools.Node,
            [NodeTools.ClusterClient, new Uri(cluster.Url, "/mcp").ToString(), string.Join(',', cluster.Replicas), "stateful"],
            TimeSpan.FromMinutes(3), workingDirectory: NodeTools.Directory);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("cluster client: all checks passed");
        result.Output.ShouldContain("every replica served requests of the one session");
        result.Output.ShouldContain("the subscription through the balancer fires for the write on");
    }

    [Fact]
    public async Task TheBalancerKeepsTheRequestsOfOneMcpSessionOnOneReplica()
    {
        using var client = Balancer();
        var session = await McpInitializeAsync(client);
        var before = await SettledMcpCountsAsync();

        for (var i = 0; i < 12; i++)
        {
            using var call = await McpPostAsync(client, session,
                System.Text.Json.JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 10 + i, method = "tools/call", @params = new { name = "echo_echo", arguments = new { data = $"sticky {i}" } } }));
            call.StatusCode.ShouldBe(HttpStatusCode.OK, await call.Content.ReadAsStringAsync());
        }

        var after = await SettledMcpCountsAsync();
        var served = after.Zip(before, (a, b) => a - b).ToList();
        served.Sum().ShouldBe(12);
        served.Count(n => n > 0).ShouldBe(1, $"tool calls per replica: {string.Join(", ", served)}");
    }

    [Fact]
    public async Task KillingOneReplicaDuringMixedWritesLosesNoAcknowledgedWriteAndTheRestartedReplicaRejoins()
    {
        using var client = Balancer();
        var notes = new ConcurrentBag<long>();
        var chats = new ConcurrentBag<long>();
        var failed = 0;
        const int Writes = 120;
        var victim = cluster.Pids[2]; // redis, then replicas 1..3, then nginx: replica 2
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Writes), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                if (i == 40)
                    using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", victim.ToString()])) { await kill.WaitForExitAsync(); }
                var chat = i % 2 == 1;
                object envelope = chat
                    ? new { model = "chat", context = new { user = "ana", room = "killed" }, data = $"message {i}" }
                    : new { model = "notes", action = "add", context = "killed", data = $"note {i}" };
                try
                {
                    // A request in flight on the killed replica gets nginx's 502 (a POST is never replayed elsewhere).
                    using var response = await client.PostAsync("/mcp", System.Net.Http.Json.JsonContent.Create(envelope));
                    if (response.StatusCode == HttpStatusCode.OK)
                        (chat ? chats : notes).Add((await EnvelopeClient.ReadJsonAsync(response)).GetProperty("data").GetProperty("id").GetInt64());
                    else
                        Interlocked.Increment(ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            });

            // The balancer routes around the dead replica: every request after it is gone is answered.
            for (var i = 0; i < 6; i++)
            {
                var after = await client.PostEnvelopeAsync(new { model = "notes", action = "add", context = "killed", data = $"after {i}" });
                after.StatusCode.ShouldBe(HttpStatusCode.OK, after.ToString());
                notes.Add(after.Data.GetProperty("id").GetInt64());
            }
            (notes.Count + chats.Count + failed).ShouldBe(Writes + 6);
            failed.ShouldBeLessThan(9, "only the requests in flight on the killed replica may fail");

            // Read back from PostgreSQL itself: every acknowledged write is there, once, and the room's ids only grow.
            await using var database = new Npgsql.NpgsqlConnection(cluster.PostgreSqlConnectionString);
            await database.OpenAsync();
            var storedNotes = await IdsAsync(database, "SELECT id FROM notes WHERE notebook = 'killed' ORDER BY id;");
            var storedChats = await IdsAsync(database, "SELECT id FROM chat_messages WHERE room = 'killed' ORDER BY id;");
            notes.ShouldAllBe(id => storedNotes.Contains(id), "an acknowledged note was lost");
            chats.ShouldAllBe(id => storedChats.Contains(id), "an acknowledged chat message was lost");
            storedNotes.Count.ShouldBeLessThanOrEqualTo(Writes / 2 + 6);
            storedChats.Count.ShouldBeLessThanOrEqualTo(Writes / 2);
            storedChats.ShouldBe(storedChats.Distinct().Order().ToList());
        }
        finally
        {
            // Whatever happened above, the replica comes back for the other tests.
            await cluster.RestartReplicaAsync(2);
        }

        await WaitUntilTheBalancerUsesAsync(cluster.Replicas[1]);
    }

    /// <summary>
    /// A restarted replica rejoins: the balancer sends it requests again (its own request counter grows from balanced
    /// traffic). nginx tries a replica that failed again only after fail_timeout, so keep the traffic going until
    /// then, with a generous bound.
    /// </summary>
    private async Task WaitUntilTheBalancerUsesAsync(Uri replica)
    {
        using var client = Balancer();
        var before = await RequestCountAsync(replica);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (var i = 0; DateTime.UtcNow < deadline && await RequestCountAsync(replica) <= before; i++)
        {
            var reply = await client.PostEnvelopeAsync(new { model = "echo", data = $"rejoin {i}" });
            reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
            await Task.Delay(100);
        }
        (await RequestCountAsync(replica)).ShouldBeGreaterThan(before, "the restarted replica got no request through the balancer");
    }

    [Fact]
    public async Task ClientsOfAKilledReplicaReconnectThroughTheBalancerAndCatchUpWithoutGapOrDuplicateOnEveryRealtimeDoor()
    {
        const string Room = "failover";
        using var writer = new HttpClient { BaseAddress = cluster.Replicas[0], Timeout = TimeSpan.FromSeconds(30) };
        using var sse = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var sent = new List<long>();
        async Task SendAsync(string text)
        {
            var reply = await writer.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = Room }, data = text });
            reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
            sent.Add(reply.Data.GetProperty("id").GetInt64());
        }

        // Three of each door, opened one after another through the balancer: round robin puts one of each on every
        // replica, so one of each is on the replica that is killed.
        var followers = new List<Follower>();
        try
        {
            for (var i = 0; i < 3; i++)
                followers.Add(await EnvelopeFollower.StartAsync("websocket", Room, async () =>
                {
                    var socket = new ClientWebSocket();
                    await socket.ConnectAsync(new Uri($"ws://{cluster.Url.Authority}/mcp/ws"), CancellationToken.None);
                    return new WsLines(new WsTestClient(socket));
                }));
            for (var i = 0; i < 3; i++)
                followers.Add(await EnvelopeFollower.StartAsync("tcp", Room, async () => new TcpLines(await TcpTestClient.ConnectAsync(cluster.TcpPort))));
            for (var i = 0; i < 3; i++)
                followers.Add(await SseFollower.StartAsync(sse, new Uri(cluster.Url, $"/mcp/events?topics=chat:{Room}")));

            foreach (var text in new[] { "before 1", "before 2", "before 3" })
                await SendAsync(text);
            await Task.WhenAll(followers.Select(f => f.ReadUntilAsync(sent.Count)));

            using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", cluster.Pids[2].ToString()]))
                await kill.WaitForExitAsync();
            foreach (var text in new[] { "while down 1", "while down 2", "while down 3" })
                await SendAsync(text);
            await Task.WhenAll(followers.Select(f => f.ReadUntilAsync(sent.Count)));
            foreach (var text in new[] { "after 1", "after 2" })
                await SendAsync(text);
            await Task.WhenAll(followers.Select(f => f.ReadUntilAsync(sent.Count)));

            foreach (var follower in followers)
                follower.Seen.ShouldBe(sent, $"{follower.Door}: every message, in order, none twice ({follower.Reconnects} reconnection(s))");
            foreach (var door in new[] { "websocket", "tcp", "sse" })
                followers.Where(f => f.Door == door).Sum(f => f.Reconnects).ShouldBeGreaterThan(0, $"no {door} client was on the killed replica");
        }
        finally
        {
            followers.ForEach(f => f.Dispose());
            await cluster.RestartReplicaAsync(2);
        }
        await WaitUntilTheBalancerUsesAsync(cluster.Replicas[1]);
    }

    [Fact]
    public async Task MoreWebSocketsThroughTheBalancerThanAReplicaTakesFromOneAddressAreAllAccepted()
    {
        // Every connection a replica gets comes from nginx. 330 WebSockets from four client addresses (about 83 each,
        // under nginx's cap of 100 per address) put about 110 on each replica: more than one address may hold there.
        var sockets = new List<ClientWebSocket>();
        var handlers = Enumerable.Range(11, 4).Select(n => new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{n}"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        }).ToList();
        var invokers = handlers.Select(h => new HttpMessageInvoker(h)).ToList();
        try
        {
            for (var i = 0; i < 330; i++)
            {
                var socket = new ClientWebSocket();
                sockets.Add(socket);
                await socket.ConnectAsync(new Uri($"ws://{cluster.Url.Authority}/mcp/ws"), invokers[i % invokers.Count], CancellationToken.None);
            }
            foreach (var socket in sockets.TakeLast(3))
                (await new WsTestClient(socket).ReplyAsync(new { model = "echo", data = "still here" })).GetProperty("status").GetString().ShouldBe("success");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
            invokers.ForEach(i => i.Dispose());
        }
    }

    /// <summary>One subscriber of a chat room that reconnects through the balancer when its connection ends.</summary>
    private abstract class Follower : IDisposable
    {
        public abstract string Door { get; }

        public List<long> Seen { get; } = [];

        public int Reconnects { get; protected set; }

        protected long Last => Seen.Count == 0 ? 0 : Seen[^1];

        /// <summary>Reads events (reconnecting as often as needed) until <paramref name="count"/> messages were seen.</summary>
        public abstract Task ReadUntilAsync(int count);

        public abstract void Dispose();

        protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    }

    private interface ILines : IDisposable
    {
        Task SendAsync(string json);

        /// <summary>The next message; null when the connection ended (closed or cut).</summary>
        Task<System.Text.Json.JsonElement?> ReceiveAsync(TimeSpan timeout);
    }

    private sealed class WsLines(WsTestClient client) : ILines
    {
        public Task SendAsync(string json) => client.SendTextAsync(json);

        public async Task<System.Text.Json.JsonElement?> ReceiveAsync(TimeSpan timeout)
        {
            try
            {
                return await client.ReceiveAsync(timeout);
            }
            catch (WebSocketException)
            {
                return null;
            }
        }

        public void Dispose() => client.Dispose();
    }

    private sealed class TcpLines(TcpTestClient client) : ILines
    {
        public Task SendAsync(string json) => client.SendLineAsync(json);

        public async Task<System.Text.Json.JsonElement?> ReceiveAsync(TimeSpan timeout)
        {
            try
            {
                return await client.ReadAsync(timeout);
            }
            catch (IOException)
            {
                return null;
            }
        }

        public void Dispose() => client.Dispose();
    }

    /// <summary>
    /// A WebSocket or TCP subscriber as the README tells a client to reconnect: subscribe on the new connection, then ask
    /// the room's history after the last message it saw; live events that arrive before the history are held back and
    /// only those after the history's last id are kept.
    /// </summary>
    private sealed class EnvelopeFollower(string door, string room, Func<Task<ILines>> connect) : Follower
    {
        private ILines _lines = null!;

        public override string Door => door;

        public static async Task<EnvelopeFollower> StartAsync(string door, string room, Func<Task<ILines>> connect)
        {
            var follower = new EnvelopeFollower(door, room, connect);
            follower._lines = await connect();
            await follower._lines.SendAsync(Subscribe(room));
            var reply = await follower._lines.ReceiveAsync(Patience) ?? throw new ShouldAssertException($"{door}: closed instead of subscribing");
            reply.GetProperty("status").GetString().ShouldBe("success", reply.ToString());
            return follower;
        }

        public override async Task ReadUntilAsync(int count)
        {
            List<long>? heldBack = null; // while the history after a reconnect is awaited
            while (Seen.Count < count)
            {
                var message = await _lines.ReceiveAsync(Patience);
                if (message is not { } m)
                {
                    _lines.Dispose();
                    Reconnects++;
                    _lines = await connect();
                    await _lines.SendAsync(Subscribe(room));
                    await _lines.SendAsync(System.Text.Json.JsonSerializer.Serialize(new { id = "history", model = "chat", action = "history", context = new { room }, data = new { after = Last } }));
                    heldBack = [];
                    continue;
                }
                var status = m.GetProperty("status").GetString();
                if (status == "event")
                {
                    var cursor = m.GetProperty("cursor").GetInt64();
                    if (heldBack is not null)
                        heldBack.Add(cursor);
                    else if (cursor > Last)
                        Seen.Add(cursor);
                }
                else if (m.TryGetProperty("id", out var id) && id.GetString() == "history")
                {
                    status.ShouldBe("success", m.ToString());
                    foreach (var item in m.GetProperty("data").GetProperty("messages").EnumerateArray())
                        if (item.GetProperty("id").GetInt64() is var missed && missed > Last)
                            Seen.Add(missed);
                    foreach (var cursor in heldBack ?? [])
                        if (cursor > Last)
                            Seen.Add(cursor);
                    heldBack = null;
                }
                else
                {
                    status.ShouldBe("success", $"{door}: {m}");
                }
            }
        }

        public override void Dispose() => _lines?.Dispose();

        private static string Subscribe(string room) =>
            System.Text.Json.JsonSerializer.Serialize(new { id = "subscribe", model = "subscribe", data = new { topics = new[] { $"chat:{room}" } } });
    }

    /// <summary>An SSE subscriber that reopens its stream through the balancer with its Last-Event-ID, as an EventSource does.</summary>
    private sealed class SseFollower(HttpClient http, Uri url) : Follower
    {
        private StreamReader _stream = null!;
        private string? _lastEventId;

        public override string Door => "sse";

        public static async Task<SseFollower> StartAsync(HttpClient http, Uri url)
        {
            var follower = new SseFollower(http, url);
            await follower.OpenAsync();
            return follower;
        }

        private async Task OpenAsync()
        {
            using var timeout = new CancellationTokenSource(Patience);
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (_lastEventId is not null)
                request.Headers.Add("Last-Event-ID", _lastEventId);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            _stream = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            // The ready event first: the subscription is in place.
            while (await _stream.ReadLineAsync(timeout.Token) is { } line && !line.StartsWith("data:", StringComparison.Ordinal))
            {
            }
        }

        public override async Task ReadUntilAsync(int count)
        {
            while (Seen.Count < count)
            {
                string? line;
                using (var timeout = new CancellationTokenSource(Patience))
                {
                    try
                    {
                        line = await _stream.ReadLineAsync(timeout.Token);
                    }
                    catch (IOException)
                    {
                        line = null;
                    }
                }
                if (line is null)
                {
                    _stream.Dispose();
                    Reconnects++;
                    await OpenAsync();
                }
                else if (line.StartsWith("id:", StringComparison.Ordinal))
                {
                    _lastEventId = line[3..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal)
                    && System.Text.Json.JsonDocument.Parse(line[5..]).RootElement is { } data
                    && data.TryGetProperty("status", out var status) && status.GetString() == "event")
                {
                    Seen.Add(data.GetProperty("cursor").GetInt64());
                }
            }
        }

        public override void Dispose() => _stream?.Dispose();
    }

    [Fact]
    public Task RestartingTheBackplaneMidStreamLosesNoMessageForASubscriberThatReconnectsWithItsLastEventId() =>
        BackplaneRestartLosesNoMessageAsync(cluster);

    /// <summary>
    /// An SSE subscriber on replica 3 follows a room written on replica 1 while the backplane restarts; it ends with
    /// every message in order (reconnecting with its Last-Event-ID when the replica ends its stream).
    /// </summary>
    internal static async Task BackplaneRestartLosesNoMessageAsync(LocalCluster cluster)
    {
        // The subscriber is on replica 3, every message is written on replica 1: each one crosses the backplane.
        using var writer = new HttpClient { BaseAddress = cluster.Replicas[0], Timeout = TimeSpan.FromSeconds(30) };
        using var sse = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var sent = new List<long>();
        var seen = new List<long>();
        var reconnects = 0;
        string? lastEventId = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        async Task<StreamReader> OpenAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Replicas[2], "/mcp/events?topics=chat:backplane"));
            if (lastEventId is not null)
                request.Headers.Add("Last-Event-ID", lastEventId);
            var response = await sse.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            return new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        }

        async Task SendAsync(string text)
        {
            var reply = await writer.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "backplane" }, data = text });
            reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
            sent.Add(reply.Data.GetProperty("id").GetInt64());
        }

        // Reads events until every sent message was seen; a stream that ends (the replica cut it after its backplane
        // connection came back) is reopened with the last event id, as an EventSource does. Returns the open stream.
        async Task<StreamReader> ReadAllAsync(StreamReader stream)
        {
            while (seen.Count < sent.Count)
            {
                var line = await stream.ReadLineAsync(deadline.Token);
                if (line is null)
                {
                    stream.Dispose();
                    reconnects++;
                    stream = await OpenAsync();
                }
                else if (line.StartsWith("id:", StringComparison.Ordinal))
                {
                    lastEventId = line[3..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal)
                    && System.Text.Json.JsonDocument.Parse(line[5..]).RootElement is { } data
                    && data.TryGetProperty("status", out var status) && status.GetString() == "event")
                {
                    seen.Add(data.GetProperty("cursor").GetInt64());
                }
            }
            return stream;
        }

        var stream = await OpenAsync();
        while (await stream.ReadLineAsync(deadline.Token) is { } line && !line.StartsWith("data:", StringComparison.Ordinal))
        {
        }
        foreach (var text in new[] { "before 1", "before 2" })
            await SendAsync(text);
        stream = await ReadAllAsync(stream);

        // The subscriber stays connected while redis-server is down for 2 s and comes back.
        var restart = cluster.RestartBackplaneAsync(seconds: 2);
        foreach (var text in new[] { "during 1", "during 2", "during 3" })
            await SendAsync(text);
        await restart;
        foreach (var text in new[] { "after 1", "after 2" })
            await SendAsync(text);
        stream = await ReadAllAsync(stream);
        stream.Dispose();

        seen.ShouldBe(sent, $"every message, in order, none twice ({reconnects} reconnection(s) of the stream)");
        var history = await writer.PostEnvelopeAsync(new { model = "chat", action = "history", context = new { room = "backplane" }, data = new { after = 0 } });
        history.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()).ShouldBe(sent);
    }

    private static async Task<List<long>> IdsAsync(Npgsql.NpgsqlConnection connection, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync())
            ids.Add(reader.GetInt64(0));
        return ids;
    }

    /// <summary>
    /// The replica's <c>mcpapi_requests_total</c> (Prometheus text format), summed over the series whose labels contain
    /// <paramref name="label"/> (all when null).
    /// </summary>
    private static async Task<double> RequestCountAsync(Uri replica, string? label = null)
    {
        using var http = new HttpClient { BaseAddress = replica, Timeout = TimeSpan.FromSeconds(30) };
        var text = await http.GetStringAsync("/metrics");
        return text.Split('\n').Where(l => l.StartsWith("mcpapi_requests_total", StringComparison.Ordinal) && (label is null || l.Contains(label, StringComparison.Ordinal)))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Each replica's count of MCP tool calls, read until two reads in a row agree (the exporter caches a scrape briefly).</summary>
    private async Task<double[]> SettledMcpCountsAsync()
    {
        var last = await Task.WhenAll(cluster.Replicas.Select(r => RequestCountAsync(r, "door=\"mcp\"")));
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(500);
            var now = await Task.WhenAll(cluster.Replicas.Select(r => RequestCountAsync(r, "door=\"mcp\"")));
            if (now.SequenceEqual(last))
                return now;
            last = now;
        }
        return last;
    }

    private static async Task<string> McpInitializeAsync(HttpClient client)
    {
        using var response = await McpPostAsync(client, null,
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"cluster","version":"1"}}}""");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = await McpPostAsync(client, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        initialized.StatusCode.ShouldBe(HttpStatusCode.Accepted, await initialized.Content.ReadAsStringAsync());
        return session;
    }

    private static Task<HttpResponseMessage> McpPostAsync(HttpClient client, string? session, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        if (session is not null)
            request.Headers.Add("Mcp-Session-Id", session);
        return client.SendAsync(request);
    }
}

/// <summary>The CI cluster with every replica in <c>Mcp:SessionMode=Stateless</c>: any replica answers any MCP request.</summary>
public sealed class StatelessClusterTests(StatelessLocalCluster cluster) : IClassFixture<StatelessLocalCluster>
{
    [Fact]
    public async Task AnMcpClientInStatelessModeIsAnsweredByEveryReplicaThroughTheBalancerAndDirectly()
    {
        var result = await ExternalProcess.RunAsync(NodeTools.Node,
            [NodeTools.ClusterClient, new Uri(cluster.Url, "/mcp").ToString(), string.Join(',', cluster.Replicas), "stateless"],
            TimeSpan.FromMinutes(3), workingDirectory: NodeTools.Directory);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("cluster client: all checks passed");
        result.Output.ShouldContain("every replica served requests of the one client");
    }
}

/// <summary>The CI cluster on the PostgreSQL LISTEN/NOTIFY backplane: its connections ended mid-stream.</summary>
public sealed class PostgreSqlBackplaneClusterTests(PostgreSqlBackplaneLocalCluster cluster) : IClassFixture<PostgreSqlBackplaneLocalCluster>
{
    [Fact]
    public Task EndingTheNotifyConnectionsMidStreamLosesNoMessageForASubscriberThatReconnectsWithItsLastEventId() =>
        ClusterTests.BackplaneRestartLosesNoMessageAsync(cluster);
}
