using System.Runtime.CompilerServices;
using System.Text.Json;
using McpApi.Envelopes;
using McpApi.Events;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// <c>resources/subscribe</c> made real: a session's subscribed URIs become event-hub topics, and each change a model
/// announces (a write from any door) is sent to the session as <c>notifications/resources/updated</c> for the URIs it
/// touches: <c>notes://latest</c> and <c>notes://{notebook}/latest</c> (<c>notes:{notebook}</c>),
/// <c>state://{namespace}/{key}</c> (<c>state:{namespace}</c>, that key only), <c>chat://{room}/history</c>
/// (<c>chat:{room}</c>), and <c>chat://rooms</c> (<c>chat:*</c>, every room: each message changes a room's count and
/// last activity, and a room's first message adds it). The hub's backplane brings writes made on other replicas.
/// </summary>
internal sealed partial class McpResourceSubscriptions : IConfigureOptions<McpServerOptions>
{
    private readonly IEventHub _hub;
    private readonly ILogger<McpResourceSubscriptions> _logger;

    public McpResourceSubscriptions(IEventHub hub, McpSessions sessions, ILogger<McpResourceSubscriptions> logger)
    {
        _hub = hub;
        _logger = logger;
        sessions.Ended += server =>
        {
            if (_sessions.TryGetValue(server, out var session))
                session.Dispose();
        };
    }

    /// <summary>Events queued per session before the hub drops it for falling behind.</summary>
    private const int Capacity = 256;

    private readonly ConditionalWeakTable<McpServer, Session> _sessions = [];

    /// <summary>Sets the subscribe and unsubscribe handlers (their presence advertises <c>resources.subscribe</c>).</summary>
    void IConfigureOptions<McpServerOptions>.Configure(McpServerOptions options) => Configure(options);

    private void Configure(McpServerOptions options)
    {
        options.Capabilities ??= new ServerCapabilities();
        options.Capabilities.Resources ??= new ResourcesCapability();
        options.Capabilities.Resources.Subscribe = true;
        options.Handlers.SubscribeToResourcesHandler = (request, _) =>
        {
            if (request.Server.SessionId is null && !request.Services!.GetRequiredService<IOptions<McpDoorOptions>>().Value.Stdio)
                throw new ModelContextProtocol.McpProtocolException(
                    "resources/subscribe needs a session to send updates on: initialize first (2025-11-25 and earlier).",
                    ModelContextProtocol.McpErrorCode.InvalidRequest);
            var uri = request.Params?.Uri ?? "";
            var topic = TopicOf(uri) ?? throw new ModelContextProtocol.McpProtocolException(
                $"'{uri}' cannot be subscribed to: subscribe to notes://latest, notes://{{notebook}}/latest, state://{{namespace}}/{{key}}, chat://rooms or chat://{{room}}/history.",
                ModelContextProtocol.McpErrorCode.InvalidParams);
            var primitives = request.Services!.GetRequiredService<McpPrimitiveSet>();
            var caller = primitives.Callers.Caller(request.User);
            if (!MayFollow(primitives, caller.Identity, uri, topic))
                throw new ModelContextProtocol.McpProtocolException(
                    $"Following '{uri}' needs a scope that lets '{caller.Identity!.Name}' read it: {ReadScopeOf(primitives, uri, topic)}.", McpDispatch.Forbidden);
            _sessions.GetValue(request.Server, server => new Session(server, _hub.Subscribe([], Capacity), _logger)).Add(uri, topic);
            return ValueTask.FromResult(new EmptyResult());
        };
        options.Handlers.SubscriptionsListenHandler = ListenAsync;
        options.Handlers.UnsubscribeFromResourcesHandler = (request, _) =>
        {
            if (request.Params?.Uri is { } uri && _sessions.TryGetValue(request.Server, out var session))
                session.Remove(uri);
            return ValueTask.FromResult(new EmptyResult());
        };
    }

    /// <summary>
    /// <c>subscriptions/listen</c> (2026-07-28, no session needed): the request's own stream carries the acknowledgement,
    /// granting the <c>resourceSubscriptions</c> that have a topic and the list-changed notifications asked for, then
    /// <c>notifications/resources/updated</c> for each change (from the event hub) and <c>notifications/*/list_changed</c>
    /// when a primitive collection changes, every one tagged with the subscription id, until the client closes the
    /// stream. (The SDK's own listen handler grants nothing without a session; with this one the SDK advertises
    /// <c>listChanged</c> in <c>server/discover</c>, so it must be delivered.)
    /// </summary>
    private async ValueTask<EmptyResult> ListenAsync(RequestContext<SubscriptionsListenRequestParams> request, CancellationToken cancellationToken)
    {
        var asked = request.Params?.Notifications ?? new SubscriptionsListenNotifications();
        var primitives = request.Services!.GetRequiredService<McpPrimitiveSet>();
        var identity = primitives.Callers.Caller(request.User).Identity;
        var topicByUri = (asked.ResourceSubscriptions ?? [])
            .Select(uri => (Uri: uri, Topic: TopicOf(uri)))
            .Where(s => s.Topic is not null && MayFollow(primitives, identity, s.Uri, s.Topic)) // not granted: the acknowledgement leaves it out
            .DistinctBy(s => s.Uri)
            .ToDictionary(s => s.Uri, s => s.Topic!, StringComparer.Ordinal);
        var options = request.Server.ServerOptions;
        var collections = new List<(Action<EventHandler> Add, Action<EventHandler> Remove, string Method)>();
        if (asked.ToolsListChanged == true && options.ToolCollection is { } tools)
            collections.Add((h => tools.Changed += h, h => tools.Changed -= h, NotificationMethods.ToolListChangedNotification));
        if (asked.PromptsListChanged == true && options.PromptCollection is { } prompts)
            collections.Add((h => prompts.Changed += h, h => prompts.Changed -= h, NotificationMethods.PromptListChangedNotification));
        var subscriptionId = JsonSerializer.SerializeToNode(request.JsonRpcRequest.Id, McpJsonUtilities.DefaultOptions);
        System.Text.Json.Nodes.JsonObject Meta() => new() { ["io.modelcontextprotocol/subscriptionId"] = subscriptionId?.DeepClone() };

        using var events = _hub.Subscribe(topicByUri.Values.Distinct(), Capacity);
        var acknowledged = JsonSerializer.SerializeToNode(new SubscriptionsAcknowledgedNotificationParams
        {
            Notifications = new SubscriptionsListenNotifications
            {
                ResourceSubscriptions = topicByUri.Count > 0 ? [.. topicByUri.Keys] : null,
                ToolsListChanged = collections.Any(c => c.Method == NotificationMethods.ToolListChangedNotification) ? true : null,
                PromptsListChanged = collections.Any(c => c.Method == NotificationMethods.PromptListChangedNotification) ? true : null,
            },
        }, McpJsonUtilities.DefaultOptions)!.AsObject();
        acknowledged["_meta"] = Meta();
        await request.Server.SendNotificationAsync(NotificationMethods.SubscriptionsAcknowledgedNotification, acknowledged, cancellationToken: cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(events.Overflowed, cancellationToken);
        var listChanged = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var handlers = collections.Select(c => (c.Remove, Handler: (EventHandler)((_, _) => listChanged.Writer.TryWrite(c.Method)))).ToList();
        for (var i = 0; i < collections.Count; i++)
            collections[i].Add(handlers[i].Handler);
        try
        {
            var lists = Task.Run(async () =>
            {
                await foreach (var method in listChanged.Reader.ReadAllAsync(stop.Token))
                    await request.Server.SendNotificationAsync(method, new System.Text.Json.Nodes.JsonObject { ["_meta"] = Meta() }, cancellationToken: stop.Token);
            }, stop.Token);
            await foreach (var modelEvent in events.Reader.ReadAllAsync(stop.Token))
            {
                foreach (var (uri, topic) in topicByUri)
                {
                    if (IEventHub.Follows(topic, modelEvent.Topic) && Touches(uri, modelEvent))
                        await request.Server.SendNotificationAsync(NotificationMethods.ResourceUpdatedNotification,
                            new ResourceUpdatedNotificationParams { Uri = uri, Meta = Meta() }, cancellationToken: stop.Token);
                }
            }
            await lists;
        }
        catch (OperationCanceledException)
        {
            // The client closed the stream (or fell too far behind): the subscription ends.
        }
        finally
        {
            foreach (var (remove, handler) in handlers)
                remove(handler);
        }
        return new EmptyResult();
    }

    /// <summary>
    /// An outgoing message filter: the capabilities answered to <c>initialize</c> and <c>server/discover</c> carry no
    /// <c>resources.listChanged</c>. The listed resources (<c>notes://latest</c>, <c>chat://rooms</c>) and the templates
    /// do not depend on the data, so the list never changes; the SDK 2.4 advertises <c>listChanged: true</c> whenever a
    /// server has a resource collection (and offers no setting against it).
    /// </summary>
    public static McpMessageFilter StaticResourceList { get; } = next => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcResponse { Result: System.Text.Json.Nodes.JsonObject result }
            && result["capabilities"] is System.Text.Json.Nodes.JsonObject capabilities
            && capabilities["resources"] is System.Text.Json.Nodes.JsonObject resources)
            resources.Remove("listChanged");
        return next(context, cancellationToken);
    };

    /// <summary>The hub topic a resource URI follows, or null when it has none.</summary>
    internal static string? TopicOf(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
            return null;
        var segments = parsed.AbsolutePath.Trim('/');
        return parsed.Scheme switch
        {
            "notes" when parsed.Host == "latest" && segments.Length == 0 => "notes:default",
            "notes" when segments == "latest" && parsed.Host.Length > 0 => $"notes:{Authority(parsed)}",
            "state" when segments.Length > 0 && !segments.Contains('/') => $"state:{Authority(parsed)}",
            "chat" when segments == "history" => $"chat:{Authority(parsed)}",
            "chat" when parsed.Host == "rooms" && segments.Length == 0 => IEventHub.EveryTopicOf("chat"),
            _ => null,
        };
    }

    /// <summary>
    /// Whether <paramref name="identity"/> may read what <paramref name="uri"/> shows, on the place its
    /// <paramref name="topic"/> (<c>model:scope</c>) announces: following a resource needs what reading it needs. Anyone
    /// when authentication is off.
    /// </summary>
    internal static bool MayFollow(McpPrimitiveSet primitives, Auth.CallerIdentity? identity, string uri, string topic)
    {
        if (identity is null)
            return true;
        return ReadBy(primitives, uri, topic) is var (model, action, scope) && identity.Scopes.Allows(model, action, readOnly: true, scope);
    }

    private static string ReadScopeOf(McpPrimitiveSet primitives, string uri, string topic) => ReadBy(primitives, uri, topic) switch
    {
        (var model, var action, null) => $"{model}:{action} (or {model}:read)",
        (var model, var action, var scope) => $"{model}:{action}:{scope} (or {model}:read)",
        null => "none: no model action reads it",
    };

    /// <summary>
    /// The action reading the resource <paramref name="uri"/> names (its <see cref="ReadsAction"/>), and where: the
    /// topic's scope, none for <c>chat:*</c> (<c>chat://rooms</c> lists every room).
    /// </summary>
    private static (string Model, string Action, string? Scope)? ReadBy(McpPrimitiveSet primitives, string uri, string topic) =>
        primitives.ResourceReads(uri) is { } reads
            ? (reads.Action.Model, reads.Action.Name, IEventHub.EveryTopicModel(topic) is null ? topic[(topic.IndexOf(':') + 1)..] : null)
            : null;

    /// <summary>The URI's host as written (URIs lower-case hosts; names keep their case).</summary>
    private static string Authority(Uri uri) => Uri.UnescapeDataString(uri.OriginalString.Split("://", 2)[1].Split('/')[0]);

    /// <summary>Whether an event on a subscribed topic touches <paramref name="uri"/> (a state key: only that key).</summary>
    internal static bool Touches(string uri, ModelEvent modelEvent)
    {
        if (!uri.StartsWith("state://", StringComparison.Ordinal))
            return true;
        return EnvelopeJson.ToElement(modelEvent.Data) is { ValueKind: JsonValueKind.Object } data
            && data.TryGetProperty("key", out var key) && key.GetString() is { } changed
            && (uri.EndsWith("/" + changed, StringComparison.Ordinal) || uri.EndsWith("/" + Uri.EscapeDataString(changed), StringComparison.Ordinal));
    }

    /// <summary>One session's subscriptions: its URIs by topic and the loop that turns events into notifications.</summary>
    private sealed partial class Session : IDisposable
    {
        private readonly CancellationTokenSource _ended = new();
        private readonly Lock _gate = new();
        private readonly Dictionary<string, string> _topicByUri = new(StringComparer.Ordinal);
        private readonly IEventSubscription _events;

        public Session(McpServer server, IEventSubscription events, ILogger logger)
        {
            _events = events;
            _ = DeliverAsync(server, logger);
        }

        public void Add(string uri, string topic)
        {
            lock (_gate)
                _topicByUri[uri] = topic;
            _events.Add([topic]);
        }

        public void Remove(string uri)
        {
            string? topic;
            bool stillUsed;
            lock (_gate)
            {
                if (!_topicByUri.Remove(uri, out topic))
                    return;
                stillUsed = _topicByUri.ContainsValue(topic);
            }
            if (!stillUsed)
                _events.Remove([topic]);
        }

        private async Task DeliverAsync(McpServer server, ILogger logger)
        {
            try
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(_events.Overflowed, _ended.Token);
                await foreach (var modelEvent in _events.Reader.ReadAllAsync(stop.Token))
                {
                    string[] uris;
                    lock (_gate)
                        uris = [.. _topicByUri.Where(s => IEventHub.Follows(s.Value, modelEvent.Topic) && Touches(s.Key, modelEvent)).Select(s => s.Key)];
                    foreach (var uri in uris)
                    {
                        await server.SendNotificationAsync(NotificationMethods.ResourceUpdatedNotification,
                            new ResourceUpdatedNotificationParams { Uri = uri }, cancellationToken: stop.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or InvalidOperationException or EventQueueOverflowException)
            {
                LogStopped(logger, server.SessionId, ex.GetType().Name);
            }
            finally
            {
                _events.Dispose();
            }
        }

        /// <summary>The session ended: stop delivering and leave the hub.</summary>
        public void Dispose() => _ended.Cancel();

        [LoggerMessage(Level = LogLevel.Debug, Message = "Resource updates for MCP session {SessionId} stopped ({Reason})")]
        private static partial void LogStopped(ILogger logger, string? sessionId, string reason);
    }
}
