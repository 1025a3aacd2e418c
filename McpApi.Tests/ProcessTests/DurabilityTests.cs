using System.Collections.Concurrent;
using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>Every acknowledged write survives a SIGKILL of the real server process.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("mcpapi-durability-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task EveryAcknowledgedWriteSurvivesKillDashNineAndARestartOnTheSameData()
    {
        const int notes = 200;
        await using (var server = await ServerProcess.StartAsync(_dataDirectory))
        {
            using var client = server.CreateClient();
            var acknowledged = new ConcurrentBag<long>();
            await Parallel.ForEachAsync(Enumerable.Range(0, notes), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            {
                var reply = await client.PostEnvelopeAsync(new { model = "notes", context = "durable", data = $"note {i}" });
                reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
                acknowledged.Add(reply.Data.GetProperty("id").GetInt64());
            });
            (await client.PostEnvelopeAsync(new { model = "state", action = "set", data = new { key = "last", value = new { n = notes } } }))
                .StatusCode.ShouldBe(HttpStatusCode.OK);
            (await client.PostEnvelopeAsync(new { model = "chat", context = "ana", data = "still here?" })).StatusCode.ShouldBe(HttpStatusCode.OK);

            await server.KillAsync();
            acknowledged.Count.ShouldBe(notes);
        }

        await using var restarted = await ServerProcess.StartAsync(_dataDirectory);
        using var after = restarted.CreateClient();
        var list = await after.PostEnvelopeAsync(new { model = "notes", action = "list", context = "durable", data = new { limit = 500 } });
        var state = await after.PostEnvelopeAsync(new { model = "state", action = "get", data = new { key = "last" } });
        var chat = await after.PostEnvelopeAsync(new { model = "chat", action = "history", context = "ana" });

        list.Data.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()).Order()
            .ShouldBe(Enumerable.Range(0, notes).Select(i => $"note {i}").Order());
        state.Data.GetProperty("value").GetProperty("n").GetInt32().ShouldBe(notes);
        chat.Data.GetProperty("messages")[0].GetProperty("text").GetString().ShouldBe("still here?");
        IntegrityCheck(restarted.DatabasePath).ShouldBe("ok");
    }

    [Fact]
    public async Task WritesAcknowledgedWhileTheServerIsKilledMidStreamAreAllThereAfterRestart()
    {
        var acknowledged = new ConcurrentDictionary<long, string>();
        await using (var server = await ServerProcess.StartAsync(_dataDirectory))
        {
            using var client = server.CreateClient();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var next = 0;
            var writers = Enumerable.Range(0, 8).Select(async _ =>
            {
                // Bounded: at most 2000 writes in all, 60 s at most; stops at the first failure (the kill).
                while (!stop.IsCancellationRequested && Interlocked.Increment(ref next) is var i && i <= 2000)
                {
                    try
                    {
                        var reply = await client.PostEnvelopeAsync(new { model = "chat", context = new { user = "w", room = "crash" }, data = $"m{i}" });
                        if (reply.StatusCode != HttpStatusCode.OK)
                            return;
                        acknowledged[reply.Data.GetProperty("id").GetInt64()] = $"m{i}";
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                    {
                        return;
                    }
                }
            }).ToArray();

            while (acknowledged.Count < 150 && !stop.IsCancellationRequested)
                await Task.Delay(10);
            await server.KillAsync();
            await Task.WhenAll(writers);
        }

        acknowledged.Count.ShouldBeGreaterThanOrEqualTo(150);
        await using var restarted = await ServerProcess.StartAsync(_dataDirectory);
        using var after = restarted.CreateClient();
        var stored = new Dictionary<long, string>();
        long? cursor = 0;
        for (var page = 0; page < 20 && cursor is not null; page++)
        {
            var history = await after.PostEnvelopeAsync(new { model = "chat", action = "history", context = new { room = "crash" }, data = new { after = cursor, limit = 500 } });
            var messages = history.Data.GetProperty("messages").EnumerateArray().ToArray();
            foreach (var m in messages)
                stored[m.GetProperty("id").GetInt64()] = m.GetProperty("text").GetString()!;
            cursor = messages.Length == 500 ? messages[^1].GetProperty("id").GetInt64() : null;
        }

        foreach (var (id, text) in acknowledged)
            stored.GetValueOrDefault(id).ShouldBe(text, $"acknowledged message {id} must survive the kill");
        IntegrityCheck(restarted.DatabasePath).ShouldBe("ok");
    }

    /// <summary>SQLite's own check of the whole file (b-trees, indexes, free pages): "ok" when it is sound.</summary>
    private static string? IntegrityCheck(string databasePath)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return command.ExecuteScalar() as string;
    }
}
