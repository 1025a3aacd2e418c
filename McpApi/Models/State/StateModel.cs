using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Events;
using McpApi.Storage;
using Microsoft.Extensions.Options;

namespace McpApi.Models.State;

/// <summary>
/// Versioned key/value JSON documents with compare-and-set. Context: the namespace, as a string or
/// <c>{"namespace": ...}</c> (default <c>default</c>).
/// </summary>
public sealed class StateModel : IModelHandler
{
    public const string DefaultNamespace = "default";

    private readonly IStateStore _store;
    private readonly IEventPublisher _events;
    private readonly StateOptions _options;

    public StateModel(IStateStore store, IEventPublisher events, IOptions<StateOptions> options)
    {
        _store = store;
        _events = events;
        _options = options.Value;
        Actions =
        [
            new("get", "Returns a key's value and version.",
                """{"type":"object","properties":{"key":{"type":"string","minLength":1}},"required":["key"],"additionalProperties":false}""", GetAsync)
            {
                ExampleContext = "default",
                ExampleData = new JsonObject { ["key"] = "counter" },
                ReadOnly = true,
                Idempotent = true,
            },
            new("set", $"Stores any JSON value under a key (at most {_options.MaxKeyLength} characters; value at most {_options.MaxValueBytes} bytes). " +
                    "With ifVersion the write happens only when the stored version equals it (0: only when the key is absent); otherwise 409 version_conflict with currentVersion.",
                """
                {"type":"object","properties":{
                  "key":{"type":"string","minLength":1},
                  "value":{"description":"Any JSON value."},
                  "ifVersion":{"type":"integer","minimum":0,"description":"Write only when the stored version is this (0: create only)."}},
                 "required":["key","value"],"additionalProperties":false}
                """, SetAsync)
            {
                ExampleContext = "default",
                ExampleData = new JsonObject { ["key"] = "counter", ["value"] = 1, ["ifVersion"] = 0 },
                Destructive = true,
            },
            new("delete", "Deletes a key (with ifVersion: only when the stored version equals it).",
                """
                {"type":"object","properties":{
                  "key":{"type":"string","minLength":1},
                  "ifVersion":{"type":"integer","minimum":0}},
                 "required":["key"],"additionalProperties":false}
                """, DeleteAsync)
            {
                ExampleContext = "default",
                ExampleData = new JsonObject { ["key"] = "counter" },
                Destructive = true,
            },
            new("list", $"Lists keys in key order with their versions, {ModelInput.DefaultPageSize} per page; filter by prefix; pass nextAfter back as after.",
                $$$"""
                {"type":["object","null"],"properties":{
                  "prefix":{"type":"string"},
                  "after":{"type":"string","description":"Only keys sorting after this one."},
                  "limit":{"type":"integer","minimum":1,"maximum":{{{ModelInput.MaxPageSize}}},"default":{{{ModelInput.DefaultPageSize}}}}},
                 "additionalProperties":false}
                """, ListAsync)
            {
                ExampleContext = "default",
                ExampleData = new JsonObject { ["prefix"] = "count" },
                ReadOnly = true,
                Idempotent = true,
            },
        ];
    }

    public string Name => "state";

    public string Description => "Versioned key/value JSON documents with compare-and-set (ifVersion), per namespace (context: the namespace).";

    public IReadOnlyList<ModelAction> Actions { get; }

    private async ValueTask<ModelResult> GetAsync(ModelCall call, CancellationToken ct)
    {
        var (ns, key) = Target(call);
        var entry = await _store.GetAsync(ns, key, ct) ?? throw NotFound(ns, key);
        return new ModelResult($"Key '{key}' is at version {entry.Version}.", StateValue.From(entry));
    }

    private async ValueTask<ModelResult> SetAsync(ModelCall call, CancellationToken ct)
    {
        var (ns, key) = Target(call);
        var value = call.Data.GetProperty("value");
        var json = JsonSerializer.Serialize(value, McpJson.Options);
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > _options.MaxValueBytes)
            throw RequestError.TooLarge("value_too_large",
                $"The value of '{key}' is {bytes} bytes as JSON; values may have at most {_options.MaxValueBytes} bytes (State:MaxValueBytes). Store it in smaller pieces under several keys.");
        var ifVersion = ModelInput.OptionalLong(call.Data, "ifVersion");

        var result = await _store.SetAsync(ns, key, json, ifVersion, written => Announce(ns, written.Entry!.Key, written.Entry.Version, deleted: false), ct);
        if (result.Outcome == StateOutcome.VersionConflict)
            throw Conflict(key, ifVersion!.Value, result.CurrentVersion);
        var entry = result.Entry!;
        return new ModelResult(result.CurrentVersion == 0 ? $"Key '{key}' created at version {entry.Version}." : $"Key '{key}' updated to version {entry.Version}.",
            StateValue.From(entry));
    }

    private async ValueTask<ModelResult> DeleteAsync(ModelCall call, CancellationToken ct)
    {
        var (ns, key) = Target(call);
        var ifVersion = ModelInput.OptionalLong(call.Data, "ifVersion");
        var result = await _store.DeleteAsync(ns, key, ifVersion, deleted => Announce(ns, key, deleted.CurrentVersion, deleted: true), ct);
        return result.Outcome switch
        {
            StateOutcome.NotFound => throw NotFound(ns, key),
            StateOutcome.VersionConflict => throw Conflict(key, ifVersion!.Value, result.CurrentVersion),
            _ => new ModelResult($"Key '{key}' (version {result.CurrentVersion}) deleted.", new StateDeleted(key, true, result.CurrentVersion)),
        };
    }

    private async ValueTask<ModelResult> ListAsync(ModelCall call, CancellationToken ct)
    {
        var ns = Namespace(call);
        var limit = ModelInput.PageSize(call.Data);
        var keys = await _store.ListAsync(ns, ModelInput.OptionalString(call.Data, "prefix") ?? "",
            ModelInput.OptionalString(call.Data, "after"), limit + 1, ct);
        var nextAfter = keys.Count > limit ? keys[limit - 1].Key : null;
        var page = keys.Take(limit).ToArray();
        return new ModelResult($"{page.Length} key(s) in namespace '{ns}'{(nextAfter is null ? "" : "; more follow")}.", new StateKeys(ns, page, nextAfter));
    }

    private void Announce(string ns, string key, long version, bool deleted) =>
        _events.Publish(new ModelEvent("state.changed", $"state:{ns}", new StateChanged(ns, key, version, deleted ? true : null)));

    private (string Namespace, string Key) Target(ModelCall call)
    {
        var ns = Namespace(call);
        var key = call.Data.GetProperty("key").GetString()!;
        if (key.Length > _options.MaxKeyLength)
            throw RequestError.Invalid("data.key", $"is {key.Length} characters long; keys may have at most {_options.MaxKeyLength} (State:MaxKeyLength).");
        if (key.Any(char.IsControl))
            throw RequestError.Invalid("data.key", "holds a control character (such as NUL or a newline); keys are printable text.");
        return (ns, key);
    }

    private static string Namespace(ModelCall call)
    {
        var ns = ModelInput.FromContext(call, "namespace", textIsThisKey: true) ?? DefaultNamespace;
        var errors = new FieldErrors();
        ModelInput.CheckName(ns, "context.namespace", errors, "\"default\"");
        errors.ThrowIfAny("The namespace is invalid");
        return ns;
    }

    private static RequestError NotFound(string ns, string key) =>
        RequestError.NotFound("state_not_found", $"Namespace '{ns}' has no key '{ModelInput.Shorten(key)}'. The action 'set' creates it; 'list' shows the keys.");

    private static RequestError Conflict(string key, long ifVersion, long currentVersion) =>
        RequestError.Conflict("version_conflict", currentVersion == 0
                ? $"Key '{ModelInput.Shorten(key)}' does not exist, so ifVersion {ifVersion} does not match: nothing was written. Use ifVersion 0 to create it."
                : ifVersion == 0
                ? $"Key '{ModelInput.Shorten(key)}' already exists at version {currentVersion}; ifVersion 0 only creates, so nothing was written. Retry with ifVersion {currentVersion} to replace it."
                : $"Key '{ModelInput.Shorten(key)}' is at version {currentVersion}, not {ifVersion}: nothing was written. Read it again, re-apply your change and retry with ifVersion {currentVersion}.",
            new() { ["currentVersion"] = currentVersion });

    public sealed record StateValue(string Key, JsonElement Value, long Version, DateTime UpdatedAt)
    {
        public static StateValue From(StateEntry entry) => new(entry.Key, entry.Value, entry.Version, entry.UpdatedAt);
    }

    public sealed record StateDeleted(string Key, bool Deleted, long Version);

    public sealed record StateKeys(string Namespace, IReadOnlyList<StateKeyInfo> Keys, string? NextAfter);

    /// <summary>The <c>state.changed</c> event's data; <c>deleted</c> appears only for deletions.</summary>
    public sealed record StateChanged(string Namespace, string Key, long Version,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? Deleted);
}
