using System.Net;
using McpApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Storage;

/// <summary>
/// Issue 10, defect 6: the database file deleted or replaced while the server runs. SQLite keeps writing to the file it
/// has open, so the server must notice and refuse (503 storage_unavailable, readiness 503, one Error line) instead of
/// acknowledging writes that the next restart loses.
/// </summary>
public sealed class DatabaseFileLostTests : IDisposable
{
    private readonly LogCollector _log = new();
    private readonly McpApiApplication _app;
    private readonly HttpClient _client;

    public DatabaseFileLostTests()
    {
        _app = new McpApiApplication { Configure = services => services.AddSingleton<ILogEventSink>(_log) };
        _client = _app.CreateClient();
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task WritesAfterTheDatabaseFileIsDeletedAre503AndReadinessSaysSoWithOneErrorLine()
    {
        (await _client.PostEnvelopeAsync(new { model = "notes", context = "lost", data = "before the delete" })).Status.ShouldBe("success");

        File.Delete(_app.DatabasePath);

        // The writes notice it themselves (the path is looked at about once a second), without readiness being asked:
        // the first refused write comes within a few writes, and no write after it is acknowledged.
        EnvelopeReply? refused = null;
        for (var attempt = 0; attempt < 100 && refused is null; attempt++)
        {
            var reply = await _client.PostEnvelopeAsync(new { model = "notes", context = "lost", data = $"after the delete {attempt}" });
            if (reply.StatusCode == HttpStatusCode.OK)
                await Task.Delay(200);
            else
                refused = reply;
        }
        refused.ShouldNotBeNull("no write was refused within 100 writes after the database file was deleted");
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, refused.ToString());
        refused.Code.ShouldBe("storage_unavailable");
        refused.Message.ShouldContain("deleted");
        refused.Message.ShouldContain("Restart the server");

        for (var i = 0; i < 5; i++)
        {
            var again = await _client.PostEnvelopeAsync(new { model = "state", action = "set", context = "lost", data = new { key = "k", value = i } });
            again.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, again.ToString());
            again.Code.ShouldBe("storage_unavailable");
        }
        var read = await _client.PostEnvelopeAsync(new { model = "notes", action = "list", context = "lost" });
        read.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, read.ToString());

        var ready = await _client.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var sqlite = (await EnvelopeClient.ReadJsonAsync(ready)).GetProperty("checks").GetProperty("sqlite");
        sqlite.GetProperty("status").GetString().ShouldBe("Unhealthy");
        sqlite.GetProperty("description").GetString()!.ShouldContain("deleted");

        // Nothing recreated an empty database at the path (a new connection there would have).
        File.Exists(_app.DatabasePath).ShouldBeFalse();
        var errors = ErrorLinesAbout(_app.DatabasePath);
        errors.Count.ShouldBe(1, string.Join(" | ", errors.Select(e => e.RenderMessage())));
        errors[0].RenderMessage().ShouldContain("was \"deleted\"");
    }

    [Fact]
    public async Task AfterTheDatabaseFileIsReplacedByAnotherFileReadinessAndWritesAre503WithOneErrorLine()
    {
        (await _client.PostEnvelopeAsync(new { model = "notes", context = "replaced", data = "before the replace" })).Status.ShouldBe("success");
        (await _client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // A restore that copies a database into place: another file (another inode) now sits at the path.
        var copy = _app.DatabasePath + ".restore";
        await using (var other = new SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            await other.OpenAsync();
            await using var command = other.CreateCommand();
            command.CommandText = "CREATE TABLE restored (x INTEGER);";
            await command.ExecuteNonQueryAsync();
        }
        File.Move(copy, _app.DatabasePath, overwrite: true);

        var ready = await _client.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var sqlite = (await EnvelopeClient.ReadJsonAsync(ready)).GetProperty("checks").GetProperty("sqlite");
        sqlite.GetProperty("description").GetString()!.ShouldContain("replaced by another file");

        for (var i = 0; i < 5; i++)
        {
            var write = await _client.PostEnvelopeAsync(new { model = "notes", context = "replaced", data = $"after the replace {i}" });
            write.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, write.ToString());
            write.Code.ShouldBe("storage_unavailable");
            write.Message.ShouldContain("replaced by another file");
        }
        (await _client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        var errors = ErrorLinesAbout(_app.DatabasePath);
        errors.Count.ShouldBe(1, string.Join(" | ", errors.Select(e => e.RenderMessage())));
        errors[0].RenderMessage().ShouldContain("replaced by another file");
    }

    /// <summary>
    /// Error lines naming the file, other than the health-check service's own line per readiness probe that found a
    /// check unhealthy (it logs one for every unhealthy probe, whatever the cause).
    /// </summary>
    private List<LogEvent> ErrorLinesAbout(string path) =>
        _log.Events.Where(e => e.Level >= LogEventLevel.Error && e.RenderMessage().Contains(path)
            && !e.MessageTemplate.Text.StartsWith("Health check ", StringComparison.Ordinal)).ToList();
}
