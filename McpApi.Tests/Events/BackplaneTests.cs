using System.Diagnostics;
using System.Text;
using McpApi.Doors.Realtime;
using McpApi.Events;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace McpApi.Tests.Events;

/// <summary>
/// Two replicas on one PostgreSQL database with an event backplane: what one publishes reaches the other's subscribers,
/// in order and as the doors would write it; a lost backplane connection ends subscriptions (no silent gap) and events
/// flow again once it is back, with the history holding everything acknowledged meanwhile.
/// Runs on both backplanes: <see cref="PostgreSqlBackplaneTests"/> and <see cref="RedisBackplaneTests"/>.
/// </summary>
public abstract class BackplaneTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly RedisServer? _redis;

    private protected BackplaneTests(string backplane)
    {
        Backplane = backplane;
        if (backplane == "Redis")
            _redis = new RedisServer();
        A = Replica(null);
        B = Replica(A.ConnectionString);
    }

    private protected string Backplane { get; }

    private protected McpApiApplication A { get; }

    private protected McpApiApplication B { get; }

    private McpApiApplication Replica(string? connectionString)
    {
        var app = new McpApiApplication(TestStorage.PostgreSql, connectionString);
        app.Settings["Events:Backplane"] = Backplane;
        if (_redis is not null)
            app.Settings["ConnectionStrings:Redis"] = _redis.ConnectionString;
        return app;
    }

    public void Dispose()
    {
        B.Dispose();
        A.Dispose();
        _redis?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static IEventHub Hub(McpApiApplication app) => app.Services.GetRequiredService<IEventHub>();

    private static Task<EnvelopeReply> Send(HttpClient client, string room, string text) =>
        client.PostEnvelopeAsync(new { model = "chat", action = "send", context = new { user = "ana", room }, data = text });

    /// <summary>Sends probes through A until B hears one: both relays are connected.</summary>
    private static async Task WaitUntilLinkedAsync(McpApiApplication from, McpApiApplication to, string room)
    {
        using var probe = Hub(to).Subscribe([$"chat:{room}"], 1000);
        var client = from.CreateClient();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            (await Send(client, room, "probe")).Status.ShouldBe("success");
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await probe.Reader.ReadAsync(wait.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }
        throw new TimeoutException($"No event crossed the {from} -> {to} backplane within {Patience}.");
    }

    private static async Task<List<ModelEvent>> ReadAsync(IEventSubscription subscription, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<ModelEvent>();
        while (events.Count < count)
            events.Add(await subscription.Reader.ReadAsync(timeout.Token));
        return events;
    }

    [Fact]
    public async Task ChatMessagesPostedToOneReplicaReachTheOthersSubscribersInOrderAsTheDoorsWriteThem()
    {
        _ = B.CreateClient();
        await WaitUntilLinkedAsync(A, B, "warmup");
        using var remote = Hub(B).Subscribe(["chat:lobby"], 1000);
        using var local = Hub(A).Subscribe(["chat:lobby"], 1000);
        var client = A.CreateClient();
        var texts = Enumerable.Range(1, 20).Select(i => $"message {i}").Append(new string('€', 4000)).ToList();

        var ids = new List<long>();
        foreach (var text in texts)
            ids.Add((await Send(client, "lobby", text)).Data.GetProperty("id").GetInt64());
        var arrived = await ReadAsync(remote, texts.Count);
        var published = await ReadAsync(local, texts.Count);

        arrived.Select(e => e.Cursor).ShouldBe(ids.Select(id => (long?)id));
        arrived.Select(e => Encoding.UTF8.GetString(RealtimeJson.Encoded(e))).ShouldBe(published.Select(e => Encoding.UTF8.GetString(RealtimeJson.Encoded(e))));
        arrived[^1].Type.ShouldBe("chat.message");
    }

    [Fact]
    public async Task AnMcpClientFollowingChatRoomsOnOneReplicaHearsARoomCreatedOnTheOther()
    {
        _ = B.CreateClient();
        await WaitUntilLinkedAsync(A, B, "warmup");
        await using var mcp = await McpClients.ConnectAsync(B.CreateClient(), "2025-11-25");
        var updates = System.Threading.Channels.Channel.CreateUnbounded<string>();
        await using var subscription = await mcp.SubscribeToResourceAsync("chat://rooms",
            (update, _) => { updates.Writer.TryWrite(update.Uri); return ValueTask.CompletedTask; }, cancellationToken: TestContext.Timeout);
        var client = A.CreateClient();

        // B's session stream may open just after the subscription: send until an update arrives (bounded).
        var clock = Stopwatch.StartNew();
        string? uri = null;
        while (uri is null && clock.Elapsed < Patience)
        {
            (await Send(client, "attic", "made on A")).Status.ShouldBe("success");
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                uri = await updates.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        uri.ShouldBe("chat://rooms");
    }

    [Fact]
    public async Task AfterTheBackplaneIsLostSubscribersAreCutEventsFlowAgainAndTheHistoryHoldsEveryAcknowledgedMessage()
    {
        _ = B.CreateClient();
        await WaitUntilLinkedAsync(A, B, "warmup");
        using var before = Hub(B).Subscribe(["chat:outage"], 1000);
        var client = A.CreateClient();
        var acknowledged = new List<long> { (await Send(client, "outage", "before")).Data.GetProperty("id").GetInt64() };
        (await ReadAsync(before, 1))[0].Cursor.ShouldBe(acknowledged[0]);

        await LoseBackplaneAsync();
        foreach (var text in new[] { "during 1", "during 2" })
            acknowledged.Add((await Send(client, "outage", text)).Data.GetProperty("id").GetInt64());
        await RestoreBackplaneAsync();

        await Task.Delay(Timeout.Infinite, before.Overflowed).ContinueWith(_ => { }, CancellationToken.None).WaitAsync(Patience);
        before.Overflowed.IsCancellationRequested.ShouldBeTrue("a subscriber that may have missed events is cut, not left with a silent gap");
        await WaitUntilLinkedAsync(A, B, "warmup");
        acknowledged.Add((await Send(client, "outage", "after")).Data.GetProperty("id").GetInt64());
        var history = await B.CreateClient().PostEnvelopeAsync(new { model = "chat", action = "history", context = new { room = "outage" }, data = new { after = 0 } });
        history.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()).ShouldBe(acknowledged);
    }

    private protected abstract Task LoseBackplaneAsync();

    private protected abstract Task RestoreBackplaneAsync();

    private protected RedisServer Redis => _redis!;
}

public sealed class PostgreSqlBackplaneTests() : BackplaneTests("PostgreSql")
{
    /// <summary>The backplane's own connections (listening and sending) of both replicas are terminated by the server.</summary>
    private protected override async Task LoseBackplaneAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(A.ConnectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'McpApi backplane';", connection);
        (await command.ExecuteScalarAsync()).ShouldNotBe(0L);
    }

    private protected override Task RestoreBackplaneAsync() => Task.CompletedTask;
}

public sealed class RedisBackplaneTests() : BackplaneTests("Redis")
{
    private protected override Task LoseBackplaneAsync()
    {
        Redis.Stop();
        return Task.CompletedTask;
    }

    private protected override Task RestoreBackplaneAsync()
    {
        Redis.Start();
        return Task.CompletedTask;
    }
}
