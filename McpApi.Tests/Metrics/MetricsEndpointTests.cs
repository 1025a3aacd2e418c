using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using McpApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Metrics;

/// <summary>The opt-in Prometheus endpoint: off by default, loopback only unless allowed, and McpApi's instruments with their labels.</summary>
public sealed partial class MetricsEndpointTests
{
    [Fact]
    public async Task MetricsAreOffByDefaultSoMetricsIsNotFound()
    {
        using var app = new McpApiApplication();
        using var response = await app.CreateClient().GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var reply = await EnvelopeClient.ReadAsync(response);
        reply.Code.ShouldBe("not_found");
    }

    [Fact]
    public void MetricsIsARoutedEndpointSoOtherRequestsNeverLookAtIt()
    {
        // As a middleware with a path check (UseOpenTelemetryPrometheusScrapingEndpoint), every envelope paid for the
        // check (~0.3 us of the metrics' cost in the envelope benchmark's profile); routing already tells /metrics apart.
        using var app = new McpApiApplication();
        app.Settings["McpApi:Telemetry:Prometheus"] = "true";

        var routes = app.Services.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .SelectMany(source => source.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>();

        routes.ShouldContain(endpoint => endpoint.RoutePattern.RawText == "/metrics");
    }

    [Fact]
    public async Task MetricsRefuseACallerThatIsNotOnThisMachine()
    {
        using var app = new McpApiApplication { Configure = services => services.AddSingleton<IStartupFilter>(new RemoteCaller(IPAddress.Parse("203.0.113.7"))) };
        app.Settings["McpApi:Telemetry:Prometheus"] = "true";

        using var response = await app.CreateClient().GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var reply = await EnvelopeClient.ReadAsync(response);
        reply.Code.ShouldBe("metrics_forbidden");
        reply.Message.ShouldContain("McpApi:Telemetry:PrometheusAllowRemote=true");
    }

    [Fact]
    public async Task MetricsServeARemoteCallerWhenTheSettingAllowsIt()
    {
        using var app = new McpApiApplication { Configure = services => services.AddSingleton<IStartupFilter>(new RemoteCaller(IPAddress.Parse("203.0.113.7"))) };
        app.Settings["McpApi:Telemetry:Prometheus"] = "true";
        app.Settings["McpApi:Telemetry:PrometheusAllowRemote"] = "true";

        using var response = await app.CreateClient().GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("# TYPE");
    }

    [Fact]
    public async Task AScrapeAfterRequestsOnEveryDoorShowsMcpApisInstrumentsWithTheirLabels()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["McpApi:Telemetry:Prometheus"] = "true" });
        var http = server.CreateClient();
        for (var i = 0; i < 3; i++)
            (await http.PostRawAsync("""{"model":"echo","data":"hi"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.PostRawAsync("""{"model":"notes","action":"add","context":"metrics","data":"a note"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.PostRawAsync("""{"model":"no-such-model"}""")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.PostRawAsync("""{"model":"notes","action":"add","data":""}""")).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);

        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);
        (await tcp.ReplyAsync("""{"model":"echo","data":1}""")).GetProperty("status").GetString().ShouldBe("success");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/mcp/ws"), CancellationToken.None);
        using var ws = new WsTestClient(socket);
        (await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "chat:lobby" } } })).GetProperty("status").GetString().ShouldBe("success");

        using var scrape = await http.GetAsync("/metrics");
        scrape.StatusCode.ShouldBe(HttpStatusCode.OK);
        var samples = Parse(await scrape.Content.ReadAsStringAsync());

        Value(samples, "mcpapi_handler_duration_seconds_count", new() { ["door"] = "http", ["model"] = "echo", ["action"] = "echo", ["status"] = "200" }).ShouldBe(3);
        Value(samples, "mcpapi_handler_duration_seconds_count", new() { ["door"] = "http", ["model"] = "notes", ["action"] = "add", ["status"] = "200" }).ShouldBe(1);
        Value(samples, "mcpapi_handler_duration_seconds_count", new() { ["door"] = "http", ["model"] = "notes", ["action"] = "add", ["status"] = "422" }).ShouldBe(1);
        // A name nobody registered never becomes a label value.
        Value(samples, "mcpapi_handler_duration_seconds_count", new() { ["door"] = "http", ["model"] = "unknown", ["action"] = "unknown", ["status"] = "404" }).ShouldBe(1);
        samples.ShouldNotContain(s => s.Labels.Values.Contains("no-such-model"));
        Value(samples, "mcpapi_handler_duration_seconds_count", new() { ["door"] = "tcp", ["model"] = "echo", ["action"] = "echo", ["status"] = "200" }).ShouldBe(1);
        Value(samples, "mcpapi_handler_duration_seconds_count", new() { ["door"] = "ws", ["model"] = "subscribe", ["action"] = "-", ["status"] = "200" }).ShouldBe(1);
        // One instrument per envelope: there is no separate request counter to pay for.
        samples.ShouldNotContain(s => s.Name.StartsWith("mcpapi_requests", StringComparison.Ordinal));
        Value(samples, "mcpapi_connections_open", new() { ["door"] = "ws" }).ShouldBe(1);
        Value(samples, "mcpapi_connections_open", new() { ["door"] = "tcp" }).ShouldBe(1);
        Value(samples, "mcpapi_subscribers", []).ShouldBe(2);
        Value(samples, "mcpapi_subscribers_queued_events", []).ShouldBe(0);
        Value(samples, "mcpapi_subscribers_queue_depth_max", []).ShouldBe(0);
        Value(samples, "mcpapi_storage_write_duration_seconds_count", []).ShouldBeGreaterThanOrEqualTo(1);
        Value(samples, "mcpapi_storage_write_batch_size_count", []).ShouldBe(Value(samples, "mcpapi_storage_write_duration_seconds_count", []));
        // ASP.NET Core's and the runtime's instruments come along, but for http.server.request.duration (a setting turns
        // it on): envelopes are counted once, by McpApi's histogram.
        samples.ShouldContain(s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
        samples.ShouldContain(s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        samples.ShouldNotContain(s => s.Name.StartsWith("http_server_request_duration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AspNetCoresRequestDurationCountsEveryHttpRequestButEnvelopesWhenTurnedOn()
    {
        // A server process of its own: OpenTelemetry listens to ASP.NET Core's meters by name, so in the test process it
        // would also count other hosts' requests (MCP POSTs to /mcp among them).
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["McpApi:Telemetry:Prometheus"] = "true",
            ["McpApi:Telemetry:HttpServerRequestDuration"] = "true",
        });
        var http = server.CreateClient();
        (await http.PostRawAsync("""{"model":"echo","data":"hi"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // ASP.NET Core records a request after its answer has gone: scrape until the health check is in.
        static bool HealthCounted(List<Sample> samples) =>
            samples.Any(s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.GetValueOrDefault("http_route") == "/health/");
        List<Sample> samples = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !HealthCounted(samples) && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            using var scrape = await http.GetAsync("/metrics");
            scrape.StatusCode.ShouldBe(HttpStatusCode.OK);
            samples = Parse(await scrape.Content.ReadAsStringAsync());
        }

        // The envelope is McpApi's to count (mcpapi.handler.duration); ASP.NET Core's histogram has every other request.
        HealthCounted(samples).ShouldBeTrue();
        samples.ShouldNotContain(s => s.Name == "http_server_request_duration_seconds_count"
            && s.Labels.GetValueOrDefault("http_route") == "/mcp/" && s.Labels.GetValueOrDefault("http_request_method") == "POST");
        Value(samples, "mcpapi_handler_duration_seconds_count", new() { ["door"] = "http", ["model"] = "echo", ["action"] = "echo", ["status"] = "200" }).ShouldBe(1);
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    /// <summary>The one sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    private static double Value(List<Sample> samples, string name, Dictionary<string, string> labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        matching.Count.ShouldBe(1, $"samples of {name} with {string.Join(",", labels)}: {string.Join("; ", samples.Where(s => s.Name == name).Select(s => string.Join(",", s.Labels) + " " + s.Value))}");
        return matching[0].Value;
    }

    private static List<Sample> Parse(string exposition) =>
        [.. exposition.Split('\n').Where(line => line.Length > 0 && line[0] != '#').Select(line =>
        {
            var match = SampleLine().Match(line);
            match.Success.ShouldBeTrue($"not a sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            return new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        })];

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();

    /// <summary>The in-memory server has no socket: give every request the remote address a real connection from elsewhere would have.</summary>
    private sealed class RemoteCaller(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext http, RequestDelegate nextMiddleware) =>
            {
                http.Connection.RemoteIpAddress = address;
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}
