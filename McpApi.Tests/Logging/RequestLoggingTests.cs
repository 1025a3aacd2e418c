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
    private readonly McpApiApplication _app;

    public RequestLoggingTests()
    {
        _app = new McpApiApplication
        {
            Configure = services =>
            {
                services.AddModel<WaitModel>();
                services.AddSingleton<ILogEventSink>(_sink);
            },
        };
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ARequestTheClientAbandonsIsLoggedAs499AtInformationNotAsA500Error()
    {
        var client = _app.CreateClient();
        using var abandon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Should.ThrowAsync<OperationCanceledException>(() =>
            client.PostAsync("/mcp", JsonBody("""{"model":"wait","action":"forever"}"""), abandon.Token));

        var logged = await _sink.WaitForRequestEventAsync("wait", TimeSpan.FromSeconds(10));
        logged.Properties["StatusCode"].ToString().ShouldBe("499");
        logged.Level.ShouldBe(LogEventLevel.Information);
        logged.Exception.ShouldBeNull();
        double.Parse(logged.Properties["Elapsed"].ToString(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(250);
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

    /// <summary>An action that waits until the request is abandoned.</summary>
    private sealed class WaitModel : IModelHandler
    {
        public string Name => "wait";

        public string Description => "Test-only model that never answers.";

        public IReadOnlyList<ModelAction> Actions { get; } =
        [
            ModelAction.For<NoContext, NoData, NoData?>("forever", "Waits until the request is cancelled.", static async (_, ct) =>
            {
                await Task.Delay(TimeSpan.FromMinutes(1), ct);
                return new ModelResult<NoData?>("Done", null);
            }),
        ];
    }
}
