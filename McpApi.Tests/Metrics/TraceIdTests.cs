using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Metrics;

/// <summary>With traces exported, the request log and the error envelope carry the trace's own id.</summary>
public sealed class TraceIdTests
{
    [Fact]
    public async Task WithTracesOnTheErrorEnvelopeAndTheRequestLogCarryTheTracesId()
    {
        var sink = new RequestEvents();
        // Nothing listens on the discard port: exports fail quietly, the traces are still recorded in process.
        using var app = new McpApiApplication { Configure = services => services.AddSingleton<ILogEventSink>(sink) };
        app.Settings["McpApi:Telemetry:OtlpEndpoint"] = "http://127.0.0.1:9";
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"model":"no-such-model"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        using var response = await app.CreateClient().SendAsync(request);
        var reply = await EnvelopeClient.ReadAsync(response);

        reply.Code.ShouldBe("unknown_model");
        reply.Data.GetProperty("traceId").GetString().ShouldBe(traceId);
        var logged = await sink.WaitForRequestEventAsync(TimeSpan.FromSeconds(10));
        logged.Properties["TraceId"].ToString().ShouldBe($"\"{traceId}\"");
    }

    [Fact]
    public async Task WithTracesOffTheErrorEnvelopeAndTheRequestLogCarryTheSameRequestId()
    {
        var sink = new RequestEvents();
        using var app = new McpApiApplication { Configure = services => services.AddSingleton<ILogEventSink>(sink) };

        var reply = await app.CreateClient().PostRawAsync("""{"model":"no-such-model"}""");

        var traceId = reply.Data.GetProperty("traceId").GetString();
        traceId.ShouldNotBeNullOrEmpty();
        var logged = await sink.WaitForRequestEventAsync(TimeSpan.FromSeconds(10));
        logged.Properties["TraceId"].ToString().ShouldBe($"\"{traceId}\"");
    }

    private sealed class RequestEvents : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        public async Task<LogEvent> WaitForRequestEventAsync(TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout)
            {
                if (_events.FirstOrDefault(e => e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal)) is { } found)
                    return found;
                await Task.Delay(50);
            }
            throw new ShouldAssertException($"No request event within {timeout}.");
        }
    }
}
