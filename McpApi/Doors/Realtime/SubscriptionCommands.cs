using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Events;

namespace McpApi.Doors.Realtime;

/// <summary>
/// The built-in <c>subscribe</c> envelope of the WebSocket and TCP doors. Subscriptions belong to one connection,
/// so the connection's session answers it; every other envelope goes to the one <see cref="Dispatcher"/>.
/// <list type="bullet">
/// <item><c>{"model":"subscribe","data":{"topics":["chat:lobby","move:g1"]}}</c> — add topics (action <c>add</c>, the default)</item>
/// <item><c>{"model":"subscribe","action":"remove","data":{"topics":["move:g1"]}}</c> — drop topics; without <c>data</c> drop all</item>
/// <item><c>{"model":"subscribe","action":"list"}</c> — the current topics</item>
/// </list>
/// Each answers <c>{"status":"success","message":...,"data":{"topics":[every topic now subscribed]}}</c>.
/// </summary>
public sealed class SubscriptionCommands(ModelRegistry registry, RealtimeOptions options)
{
    public const string Model = "subscribe";

    public static readonly string[] Actions = ["add", "remove", "list"];

    public static bool Handles(Envelope envelope) => string.Equals(envelope.Model, Model, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True when a raw message is an envelope for this command (its top-level <c>model</c> is <c>subscribe</c>), read
    /// without parsing the whole envelope; a message that is no JSON object is not one.
    /// </summary>
    public static bool IsCommand(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = EnvelopeParser.MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (isModel)
                    return reader.TokenType == JsonTokenType.String && string.Equals(reader.GetString(), Model, StringComparison.OrdinalIgnoreCase);
                reader.Skip();
            }
            return false;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false; // not JSON: the dispatcher answers it with the error
        }
    }

    public EnvelopeResponse Handle(Envelope envelope, IEventSubscription subscription)
    {
        var action = envelope.Action?.ToLowerInvariant() ?? "add";
        switch (action)
        {
            case "add":
            {
                var topics = Topics.Validate(ReadTopics(envelope.Data, required: true), registry, "data.topics");
                SubscriptionLimits.CheckTopicCount(subscription.Topics.Union(topics, StringComparer.Ordinal).Count(), options);
                subscription.Add(topics);
                return Reply($"Subscribed to {string.Join(", ", topics)}.", subscription);
            }
            case "remove":
            {
                var topics = envelope.HasData && envelope.Data.ValueKind != JsonValueKind.Null
                    ? ReadTopics(envelope.Data, required: true)
                    : [.. subscription.Topics];
                subscription.Remove(topics);
                return Reply(topics.Length == 0 ? "No topics to unsubscribe from." : $"Unsubscribed from {string.Join(", ", topics)}.", subscription);
            }
            case "list":
                return Reply($"Subscribed to {subscription.Topics.Count} topic(s).", subscription);
            default:
                throw new RequestError(StatusCodes.Status404NotFound, ErrorCodes.UnknownAction,
                    $"Model 'subscribe' has no action '{envelope.Action}'. Its actions: add, remove, list (default: add).")
                {
                    Extra = new() { ["model"] = Model, ["actions"] = Actions },
                };
        }
    }

    private static EnvelopeResponse Reply(string message, IEventSubscription subscription) =>
        new(EnvelopeResponse.Success, message, new SubscriptionData([.. subscription.Topics.Order(StringComparer.Ordinal)]));

    private static string[] ReadTopics(JsonElement data, bool required)
    {
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("topics", out var topics)
            && topics.ValueKind == JsonValueKind.Array
            && topics.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String))
        {
            var list = topics.EnumerateArray().Select(t => t.GetString()!).ToArray();
            if (list.Length > 0 || !required)
                return list;
        }
        throw RequestError.Invalid("data.topics",
            "must be a non-empty array of topic names, e.g. {\"topics\":[\"chat:lobby\",\"move:g1\"]}.");
    }

    public sealed record SubscriptionData(IReadOnlyList<string> Topics);
}
