using System.Net;
using System.Text;
using McpApi.Events;
using McpApi.Storage.Sqlite;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Storage;

/// <summary>
/// A request abandoned by its client while its write waits behind a busy writer is not applied: nothing stored,
/// no event (the group commit tests cover the other case, a write the writer had already taken).
/// </summary>
public sealed class AbandonedWriteTests : IDisposable
{
    private readonly McpApiApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AChatSendAbandonedWhileTheWriterIsBusyIsNeitherStoredNorAnnounced()
    {
        using var client = _app.CreateClient();
        (await client.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "kept" }, data = "before" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        using var events = _app.Services.GetRequiredService<IEventHub>().Subscribe(["chat:gone"], 10);
        var (gate, held) = await _app.Services.GetRequiredService<SqliteDatabase>().HoldTheWriterAsync();

        using var abandon = new CancellationTokenSource();
        using var content = new StringContent("""{"model":"chat","context":{"user":"ana","room":"gone"},"data":"never mind"}""",
            Encoding.UTF8, "application/json");
        var send = client.PostAsync("/mcp", content, abandon.Token);
        // Time for the write to reach the queue; if the client gives up earlier, the write is not queued at all and
        // the outcome checked below is the same.
        await Task.WhenAny(send, Task.Delay(TimeSpan.FromMilliseconds(300)));
        await abandon.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(send);
        gate.SetResult();
        await held;

        var history = await client.PostEnvelopeAsync(new { model = "chat", action = "history", context = new { room = "gone" } });
        history.StatusCode.ShouldBe(HttpStatusCode.OK);
        history.Data.GetProperty("messages").GetArrayLength().ShouldBe(0, "the abandoned message was not applied");
        events.Reader.TryRead(out _).ShouldBeFalse("nothing was committed, so nothing is announced");
        (await client.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "gone" }, data = "after" }))
            .Data.GetProperty("text").GetString().ShouldBe("after");
    }
}
