using McpApi.Auth;
using McpApi.Limits;
using McpApi.Logging;
using McpApi.Tests.Infrastructure;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace McpApi.Tests.Hosting;

/// <summary>
/// Work every envelope request used to do for nothing (found in the envelope benchmark's profile: ~1.1 KB more
/// allocated per request than before the limits and authentication landed). Each test names one such cost.
/// </summary>
public sealed class PerRequestWorkTests
{
    [Fact]
    public void TheHostRegistersNoHttpContextAccessorSoRequestsDoNotChangeTheirExecutionContext()
    {
        using var app = new McpApiApplication();

        // With one registered, the host sets it (an AsyncLocal) at the start and end of every request on every door;
        // the MCP door and Swagger set it around their own requests (CurrentRequest).
        app.Services.GetService<IHttpContextAccessor>().ShouldBeNull();
    }

    [Fact]
    public async Task ReadingAnAnonymousHttpCallerCreatesNoPrincipal()
    {
        var http = new DefaultHttpContext();

        var caller = await new CallerAuthentication(Options.Create(new AuthOptions())).CallerAsync(http, "http");

        caller.Identity.ShouldBeNull();
        // HttpContext.User would have created an empty principal and an authentication feature for the request.
        http.Features.Get<IHttpAuthenticationFeature>().ShouldBeNull();
    }

    [Theory]
    [InlineData("127.0.0.1", "/mcp", true, 200, false)]
    [InlineData("::1", "/mcp", true, 200, false)]
    [InlineData("203.0.113.5", "/mcp", true, 200, true)]
    [InlineData("127.0.0.1", "/mcp", false, 200, true)]
    [InlineData("203.0.113.5", "/health/ready", true, 200, false)]
    [InlineData("203.0.113.5", "/mcp", true, 0, false)]
    public void OnlyRequestsTheBudgetCanRefuseGoThroughTheRateLimiter(string address, string path, bool exemptLoopback, int perSecond, bool limited)
    {
        using var limiter = new CallerRateLimiter(Options.Create(new RateLimitOptions { ExemptLoopback = exemptLoopback, RequestsPerSecond = perSecond }));
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address);
        http.Request.Path = path;

        limiter.MayLimit(http).ShouldBe(limited);
        http.Features.Get<IHttpAuthenticationFeature>().ShouldBeNull("deciding reads no principal");
    }

    private sealed class DiscardingSink : ILogEventSink
    {
        public void Emit(LogEvent logEvent) { }
    }

    [Fact]
    public async Task TheRequestLogEventAllocatesUnder800Bytes()
    {
        // The enrichers the host adds (LoggingSetup); 2,032 B per event before: a properties array copied into a growing
        // dictionary, new values for method, path, model, action and status, and eight closures in LogValueEscaping.
        using var logger = new LoggerConfiguration().Enrich.With<LogValueEscaping>().WriteTo.Sink(new DiscardingSink()).CreateLogger();
        var logging = new RequestCompletionLogging(_ => Task.CompletedTask, logger);
        var http = new DefaultHttpContext { TraceIdentifier = "0HN7:00000001" };
        http.Request.Method = "POST";
        http.Request.Path = "/mcp";
        http.Features.Set(new McpApi.Doors.Http.EnvelopeNames { Model = "echo", Action = "echo" });
        for (var i = 0; i < 10; i++)
            await logging.InvokeAsync(http);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            await logging.InvokeAsync(http);

        ((GC.GetAllocatedBytesForCurrentThread() - before) / 100).ShouldBeLessThan(800);
    }

    [Fact]
    public async Task AnEnvelopeRequestCreatesNoItemsDictionary()
    {
        // HttpContext.Items is a dictionary made on first use (~330 B with its feature and entries). The request log reads
        // the model and action from the EnvelopeNames feature instead, and bodiless errors get their envelope without
        // UseStatusCodePages, which looked into Items on every request.
        IItemsFeature? items = null;
        using var app = new McpApiApplication
        {
            Configure = services => services.AddSingleton<IStartupFilter>(new AroundEveryRequest(async (http, next) =>
            {
                await next(http);
                items = http.Features.Get<IItemsFeature>();
            })),
        };
        using var client = app.CreateClient();

        using var response = await client.PostAsJsonAsync("/mcp", new { model = "echo", data = "Hello" });

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        items.ShouldBeNull();
    }

    [Fact]
    public async Task AnEnvelopeAnswerIsNotRegisteredForDisposalWithTheResponse()
    {
        // Registering the answer for disposal with the response cost every envelope an on-completed callback list and a
        // run of it after the response; the answer is written whole and synchronously, so it is disposed as it is written.
        CountingResponseFeature? counted = null;
        using var app = new McpApiApplication
        {
            Configure = services => services.AddSingleton<IStartupFilter>(new AroundEveryRequest((http, next) =>
            {
                counted = new CountingResponseFeature(http.Features.Get<IHttpResponseFeature>()!);
                http.Features.Set<IHttpResponseFeature>(counted);
                return next(http);
            })),
        };
        using var client = app.CreateClient();

        using var response = await client.PostAsJsonAsync("/mcp", new { model = "echo", data = new { text = "Hello", nested = new[] { 1, 2 } } });

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("""{"text":"Hello","nested":[1,2]}""");
        counted.ShouldNotBeNull().Disposals.ShouldBe(0);
    }

    /// <summary>
    /// A response feature that counts the objects registered to be disposed when the response completes (the test host
    /// registers a callback of its own for its request body pipe, which Kestrel does not).
    /// </summary>
    private sealed class CountingResponseFeature(IHttpResponseFeature inner) : IHttpResponseFeature
    {
        public int Disposals { get; private set; }

        public int StatusCode { get => inner.StatusCode; set => inner.StatusCode = value; }
        public string? ReasonPhrase { get => inner.ReasonPhrase; set => inner.ReasonPhrase = value; }
        public IHeaderDictionary Headers { get => inner.Headers; set => inner.Headers = value; }
#pragma warning disable CS0618 // Body is obsolete on the interface, still part of it
        public Stream Body { get => inner.Body; set => inner.Body = value; }
#pragma warning restore CS0618
        public bool HasStarted => inner.HasStarted;
        public void OnStarting(Func<object, Task> callback, object state) => inner.OnStarting(callback, state);

        public void OnCompleted(Func<object, Task> callback, object state)
        {
            if (state is IDisposable)
                Disposals++;
            inner.OnCompleted(callback, state);
        }
    }

    private sealed class AroundEveryRequest(Func<HttpContext, RequestDelegate, Task> middleware) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(middleware);
            next(app);
        };
    }

    [Fact]
    public void WritingAnEchoAnswerAllocatesNoSerializerStack()
    {
        // Serializing the envelope with its object-typed data as one value kept a stack of nested frames: an array of
        // several hundred bytes per answer.
        var response = new McpApi.Envelopes.EnvelopeResponse("success", "MCP request processed successfully",
            new McpApi.Models.Echo.EchoModel.EchoData(System.Text.Json.JsonElement.Parse("""{"model":"echo","data":"Hello"}""")));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using var writer = new System.Text.Json.Utf8JsonWriter(buffer);
        for (var i = 0; i < 10; i++)
            Write();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            Write();

        ((GC.GetAllocatedBytesForCurrentThread() - before) / 100).ShouldBeLessThan(64);

        void Write()
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            McpApi.Envelopes.EnvelopeJson.WriteResponse(writer, response);
            writer.Flush();
        }
    }

    [Fact]
    public async Task AskingWhetherAConnectionServesOnlyHealthTakesNoLock()
    {
        // Every request asks. ConcurrentDictionary.IsEmpty takes all the dictionary's locks while it is empty (always, but
        // for connections let in past the cap): the worker threads contended for them on every request.
        var limits = new McpApi.Doors.Limits.ConnectionLimits(Options.Create(new McpApi.Doors.Limits.ConnectionLimitOptions()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<McpApi.Doors.Limits.ConnectionLimits>.Instance);
        var locks = DictionaryLocks(typeof(McpApi.Doors.Limits.ConnectionLimits).GetField("_healthOnly", Private)!.GetValue(limits)!);
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            foreach (var gate in locks)
                Monitor.Enter(gate);
            held.Set();
            release.Wait();
            foreach (var gate in locks)
                Monitor.Exit(gate);
        });
        holder.Start();
        held.Wait();
        try
        {
            var asked = Task.Run(() => limits.IsHealthOnly("0HN7", out _));
            (await Task.WhenAny(asked, Task.Delay(TimeSpan.FromSeconds(30)))).ShouldBe(asked, "it waited for the dictionary's locks");
            (await asked).ShouldBeFalse();
        }
        finally
        {
            release.Set();
            holder.Join();
        }
    }

    private const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;

    /// <summary>The lock objects of a ConcurrentDictionary (its internal tables).</summary>
    private static object[] DictionaryLocks(object dictionary)
    {
        var tables = dictionary.GetType().GetField("_tables", Private)!.GetValue(dictionary)!;
        return (object[])tables.GetType().GetField("_locks", Private)!.GetValue(tables)!;
    }

    [Fact]
    public void RoutingRunsNoContentTypePolicyForTheEnvelopeEndpoint()
    {
        // Accepts metadata made routing's content-type matcher policy compare media types on every POST /mcp (~0.2 us);
        // the endpoint answers a wrong Content-Type itself, and the Swagger document describes the body all the same.
        using var app = new McpApiApplication();
        var envelope = app.Services.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .Single(endpoint => endpoint.Metadata.GetMetadata<McpApi.Doors.Http.EnvelopeEndpointMetadata>() is not null
                && endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Contains("POST") == true);

        envelope.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"model":"echo","context":"user","data":"Hello, world!"}""", false)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", true)]
    public async Task RoutingChoosesBetweenEnvelopeAndMcpWithoutAnEndpointSelectorWhenTheBodyHasArrived(string json, bool mcp)
    {
        // An endpoint-selector policy makes routing build a candidate set and run an asynchronous selection for every
        // POST /mcp (~0.8 us per envelope in the profile). A body already in the request's pipe is decided while routing
        // walks its tree, which then ends at a node with one of the two endpoints: a selector for both never runs.
        var probe = new BothEndpointsProbe();
        using var app = new McpApiApplication { Configure = services => services.AddSingleton<MatcherPolicy>(probe) };
        var match = RoutingMatcher(app.Services);
        var http = await PostMcpWithArrivedBodyAsync(app.Services, json);

        var task = match(http);

        task.IsCompletedSuccessfully.ShouldBeTrue("decided without waiting");
        probe.Runs.ShouldBe(0, "routing ran an endpoint selector for both endpoints");
        var chosen = http.GetEndpoint()!;
        (chosen.Metadata.GetMetadata<McpApi.Doors.Mcp.McpEndpointMetadata>() is not null).ShouldBe(mcp, chosen.DisplayName);
    }

    [Fact]
    public async Task RoutingAnEnvelopeDoesNotLookAtItsContentType()
    {
        // The MCP endpoint declares the content type it accepts, so routing's content-type policy compared media types for
        // every POST /mcp (~0.2 us); once the body has chosen the envelope it is not asked: the endpoint checks it (415).
        using var app = new McpApiApplication();
        var match = RoutingMatcher(app.Services);
        var http = await PostMcpWithArrivedBodyAsync(app.Services, """{"model":"echo","context":"user","data":"Hello, world!"}""");
        var headers = new ContentTypeReads(http.Request.Headers);
        http.Features.Get<IHttpRequestFeature>()!.Headers = headers;

        await match(http);

        http.GetEndpoint()!.Metadata.GetMetadata<McpApi.Doors.Http.EnvelopeEndpointMetadata>().ShouldNotBeNull();
        headers.Reads.ShouldBe(0);
    }

    /// <summary>Request headers that count how often <c>Content-Type</c> is read.</summary>
    private sealed class ContentTypeReads(IHeaderDictionary inner) : IHeaderDictionary
    {
        public int Reads { get; private set; }

        private StringValues Read(string key, StringValues value)
        {
            if (string.Equals(key, HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase))
                Reads++;
            return value;
        }

        public StringValues this[string key] { get => Read(key, inner[key]); set => inner[key] = value; }
        public long? ContentLength { get => inner.ContentLength; set => inner.ContentLength = value; }
        public ICollection<string> Keys => inner.Keys;
        public ICollection<StringValues> Values => inner.Values;
        public int Count => inner.Count;
        public bool IsReadOnly => inner.IsReadOnly;
        public void Add(string key, StringValues value) => inner[key] = value;
        public void Add(KeyValuePair<string, StringValues> item) => inner[item.Key] = item.Value;
        public void Clear() => inner.Clear();
        public bool Contains(KeyValuePair<string, StringValues> item) => inner.Contains(item);
        public bool ContainsKey(string key) => inner.ContainsKey(key);
        public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex) => inner.CopyTo(array, arrayIndex);
        public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator() => inner.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => inner.GetEnumerator();
        public bool Remove(string key) => inner.Remove(key);
        public bool Remove(KeyValuePair<string, StringValues> item) => inner.Remove(item);

        public bool TryGetValue(string key, out StringValues value)
        {
            var found = inner.TryGetValue(key, out value);
            Read(key, value);
            return found;
        }
    }

    [Theory]
    [InlineData("""{"model":"echo","context":"user","data":"Hello, world!"}""", "HTTP/1.1 200 ")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", "HTTP/1.1 406 ")] // MCP's answer to a client that does not accept SSE
    public async Task RoutingWaitsForABodyStillOnItsWayBeforeChoosing(string json, string statusLine)
    {
        var probe = new BothEndpointsProbe();
        using var server = new RealtimeServer(configure: services => services.AddSingleton<MatcherPolicy>(probe));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.HttpPort);
        var body = System.Text.Encoding.UTF8.GetBytes(json);
        var head = System.Text.Encoding.ASCII.GetBytes(
            $"POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        await socket.SendAsync(head.Concat(body.Take(10)).ToArray());

        // The probe runs first at the node that holds both endpoints, the one a request reaches before its body has arrived.
        for (var i = 0; i < 300 && probe.Runs == 0; i++)
            await Task.Delay(100);
        probe.Runs.ShouldBe(1, "the request did not reach the node where the selector waits for the body");

        await socket.SendAsync(body.AsMemory(10));
        var answer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await socket.ReceiveAsync(answer, timeout.Token);
        System.Text.Encoding.ASCII.GetString(answer, 0, read).ShouldStartWith(statusLine);
    }

    /// <summary>A <c>POST /mcp</c> of <paramref name="json"/> whose whole body is already in the request's pipe.</summary>
    private static async Task<DefaultHttpContext> PostMcpWithArrivedBodyAsync(IServiceProvider services, string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var pipe = new System.IO.Pipelines.Pipe();
        await pipe.Writer.WriteAsync(bytes);
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Method = "POST";
        http.Request.Path = "/mcp";
        http.Request.ContentType = "application/json";
        http.Request.ContentLength = bytes.Length;
        http.Features.Set<IRequestBodyPipeFeature>(new BodyInPipe(pipe.Reader));
        return http;
    }

    /// <summary>Counts selections at routing nodes that hold both the envelope endpoint and the MCP endpoint.</summary>
    private sealed class BothEndpointsProbe : MatcherPolicy, IEndpointSelectorPolicy
    {
        private int _runs;

        public int Runs => _runs;

        public override int Order => int.MinValue; // before McpEndpointSelector where both run

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
            endpoints.Any(e => e.Metadata.GetMetadata<McpApi.Doors.Http.EnvelopeEndpointMetadata>() is not null)
            && endpoints.Any(e => e.Metadata.GetMetadata<McpApi.Doors.Mcp.McpEndpointMetadata>() is not null);

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            Interlocked.Increment(ref _runs);
            return Task.CompletedTask;
        }
    }

    /// <summary>The routing middleware's matcher for the app's endpoints (its types are internal to ASP.NET Core).</summary>
    private static Func<HttpContext, Task> RoutingMatcher(IServiceProvider services)
    {
        var routing = typeof(EndpointDataSource).Assembly;
        var factoryType = routing.GetType("Microsoft.AspNetCore.Routing.Matching.MatcherFactory", throwOnError: true)!;
        var factory = services.GetRequiredService(factoryType);
        var endpoints = new CompositeEndpointDataSource(services.GetServices<EndpointDataSource>());
        var matcher = factoryType.GetMethod("CreateMatcher")!.Invoke(factory, [endpoints])!;
        return matcher.GetType().GetMethod("MatchAsync")!.CreateDelegate<Func<HttpContext, Task>>(matcher);
    }

    private sealed class BodyInPipe(System.IO.Pipelines.PipeReader reader) : IRequestBodyPipeFeature
    {
        public System.IO.Pipelines.PipeReader Reader => reader;
    }

    [Theory]
    [InlineData("""{"model":"echo","data":"Hello"}""", false)]
    [InlineData("""{"model":"echo","data":{"jsonrpc":"2.0"}}""", false)]
    [InlineData("""{"model":"echo","data":"jsonrpc"}""", false)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", true)]
    [InlineData("""{"\u006asonrpc":"2.0","id":1,"method":"ping"}""", true)]
    [InlineData("""{"id":1,"js\u006Fnrpc":"2.0","method":"ping"}""", true)]
    public void ABodyIsJsonRpcWhenItsObjectHasAJsonrpcPropertyHoweverItIsSpelled(string json, bool expected)
    {
        McpApi.Doors.Mcp.McpEndpointSelector.HasJsonRpcProperty(System.Text.Encoding.UTF8.GetBytes(json)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"model":"echo","context":"user","data":"Hello, world!"}""", false)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", true)]
    public async Task ChoosingBetweenEnvelopeAndMcpCopiesTheBodyOnlyForMcp(string json, bool mcp)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var http = new DefaultHttpContext();
        var original = new MemoryStream(bytes);
        http.Request.Body = original;
        http.Request.ContentLength = bytes.Length;
        // A test context makes these features on first use (setting them); Kestrel has its own.
        _ = (http.Request.BodyReader, http.RequestAborted);
        var revision = http.Features.Revision;

        (await McpApi.Doors.Mcp.McpEndpointSelector.HasJsonRpcBodyAsync(http.Request, 1 << 20)).ShouldBe(mcp);

        // Setting a request feature would invalidate every cached feature of the request (and cost a lookup in the server's
        // feature collection to find it again): the MCP door finds the copy as the body stream.
        http.Features.Revision.ShouldBe(revision);
        (McpApi.Doors.Http.PreReadRequestBody.Of(http.Request) is not null).ShouldBe(mcp);

        // An envelope stays in the request's pipe, unconsumed: no copy, no stream, no feature for the endpoint to find.
        ReferenceEquals(http.Request.Body, original).ShouldBe(!mcp, "the body stream is replaced by a copy only for MCP");
        var read = await http.Request.BodyReader.ReadAsync();
        System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(read.Buffer)).ShouldBe(json);
    }
}
