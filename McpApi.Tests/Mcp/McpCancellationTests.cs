using System.Text;
using McpApi.Dispatching;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Mcp;

/// <summary>
/// <c>notifications/cancelled</c> for a running <c>tools/call</c>: the action's cancellation token fires and the call's
/// POST stream ends, so the client is not left waiting on it until its own timeout.
/// </summary>
public sealed class McpCancellationTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly HoldModel _hold = new();
    private readonly McpApiApplication _app;

    public McpCancellationTests() =>
        _app = new McpApiApplication { Configure = services => services.AddSingleton<IModelHandler>(_hold) };

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ACancelledToolCallStopsItsActionAndClosesItsPostStream()
    {
        using var client = _app.CreateClient();
        using var initialize = await PostAsync(client, null,
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"cancel-test","version":"1"}}}""");
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        await initialize.Content.ReadAsStringAsync();
        using var initialized = await PostAsync(client, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");

        using var call = await PostAsync(client, session, """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"hold_wait","arguments":{}}}""");
        var stream = call.Content.ReadAsStringAsync();
        await _hold.Entered.Task.WaitAsync(Bound);

        using var cancel = await PostAsync(client, session,
            """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2,"reason":"the user gave up"}}""");

        cancel.IsSuccessStatusCode.ShouldBeTrue();
        await _hold.Cancelled.Task.WaitAsync(Bound);
        var body = await stream.WaitAsync(Bound); // the POST stream ended
        body.ShouldNotContain("Released");
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string? session, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        if (session is not null)
            request.Headers.Add("Mcp-Session-Id", session);
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>An action that says when it runs and waits until it is cancelled.</summary>
    private sealed class HoldModel : IModelHandler
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "hold";

        public string Description => "Test-only model whose action runs until it is cancelled.";

        public IReadOnlyList<ModelAction> Actions =>
        [
            ModelAction.For<NoContext, NoData, NoData?>("wait", "Waits until it is cancelled.", async (_, ct) =>
            {
                Entered.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    Cancelled.TrySetResult();
                    throw;
                }
                return new ModelResult<NoData?>("Released", null);
            }),
        ];
    }
}
