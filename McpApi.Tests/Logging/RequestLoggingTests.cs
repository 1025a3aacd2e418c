using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using McpApi.Dispatching;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Logging;

/// <summary>The one request event per HTTP request carries the status the client got (or would have got) and the time it took.</summary>
public sealed class RequestLoggingTests : IDisposable
{
    private readonly CollectingSink _sink = new();
    private readonly WaitModel _wait = new();
    private readonly McpApiApplication _app;

    public RequestLoggingTests()
    {
        _app = new McpApiApplication
        {
            Configure = services =>
            {
                services.AddSingleton<IModelHandler>(_wait);
                services.AddSingleton<ILogEventSink>(_sink);
            },
        };
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ARequestTheClientAbandonsIsLoggedAs499AtInformationNotAsA500Error()
    {
        var client = _app.CreateClient();
        using var abandon = new CancellationTokenSource();
        var request = client.PostAsync("/mcp", JsonBody("""{"model":"wait","action":"forever"}"""), abandon.Token);

        // Abandoned once the handler runs, not on a timer: a loaded machine only makes the request last longer.
        var entered = await _wait.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(50);
        var abandoned = Stopwatch.GetTimestamp();
        await abandon.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => request);

        var logged = await _sink.WaitForRequestEventAsync("wait", TimeSpan.FromSeconds(10));
        logged.Properties["StatusCode"].ToString().ShouldBe("499");
        logged.Level.ShouldBe(LogEventLevel.Information);
        logged.Exception.ShouldBeNull();
        // The request began before the handler ran and ended after it was abandoned, so it lasted at least that long.
        var handlerToAbandon = Stopwatch.GetElapsedTime(entered, abandoned).TotalMilliseconds;
        double.Parse(logged.Properties["Elapsed"].ToString(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(handlerToAbandon);
    }

    [Fact]
    public async Task AnErrorAnsweredByTheDispatcherIsLoggedWithItsOwnStatus()
    {
        var reply = await _app.CreateClient().PostRawAsync("""{"model":"wait","action":"forever","data":5}""");
        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());

        var logged = await _sink.WaitForRequestEventAsync("wait", TimeSpan.FromSeconds(10));
        logged.Properties["StatusCode"].ToString().ShouldBe("422");
        logged.Level.ShouldBe(LogEventLevel.Information);
    }

    [Fact]
    public async Task AnEnvelopeWithoutAnActionIsLoggedWithTheDefaultActionThatRan()
    {
        var reply = await _app.CreateClient().PostRawAsync("""{"model":"chat","context":"ana","data":"hi"}""");
        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());

        var logged = await _sink.WaitForRequestEventAsync("chat", TimeSpan.FromSeconds(10));
        logged.Properties["Action"].ToString().ShouldBe("\"send\"");
    }

    [Fact]
    public async Task AnEnvelopeWithoutAModelIsLoggedAsTheEchoModelThatRan()
    {
        var reply = await _app.CreateClient().PostRawAsync("""{"data":"hi"}""");
        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());

        var logged = await _sink.WaitForRequestEventAsync("echo", TimeSpan.FromSeconds(10));
        logged.Properties["Action"].ToString().ShouldBe("\"echo\"");
    }

    private static StringContent JsonBody(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private sealed class CollectingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        public async Task<LogEvent> WaitForRequestEventAsync(string model, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout)
            {
                var found = _events.FirstOrDefault(e => e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal)
                    && e.Properties.TryGetValue("Model", out var m) && m.ToString() == $"\"{model}\"");
                if (found is not null)
                    return found;
                await Task.Delay(50);
            }
            throw new ShouldAssertException($"No request event for model '{model}' within {timeout}.");
        }
    }

    /// <summary>An action that says when it starts (a <see cref="Stopwatch"/> timestamp), then waits until the request is abandoned.</summary>
    private sealed class WaitModel : IModelHandler
    {
        public TaskCompletionSource<long> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "wait";

        public string Description => "Test-only model that never answers.";

        public IReadOnlyList<ModelAction> Actions =>
        [
            ModelAction.For<NoContext, NoData, NoData?>("forever", "Waits until the request is cancelled.", async (_, ct) =>
            {
                Entered.TrySetResult(Stopwatch.GetTimestamp());
                await Task.Delay(Timeout.Infinite, ct);
                return new ModelResult<NoData?>("Done", null);
            }),
        ];
    }
}
