using System.Text;
using System.Text.Json;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
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
            ModelAction.For<NamespaceContext, KeyData, StateValue>("get", "Returns a key's value and version.", GetAsync)
            with
            {
                ExampleContext = new NamespaceContext("default"),
                ExampleData = new KeyData("counter"),
                ReadOnly = true,
                Idempotent = true,
            },
            ModelAction.For<NamespaceContext, SetData, StateValue>("set",
                $"Stores any JSON value under a key (at most {_options.MaxKeyLength} characters; value at most {_options.MaxValueBytes} bytes). " +
                "With ifVersion the write happens only when the stored version equals it (0: only when the key is absent); otherwise 409 version_conflict with currentVersion.",
                SetAsync)
            with
            {
                ExampleContext = new NamespaceContext("default"),
                ExampleData = new SetData("counter", JsonSerializer.SerializeToElement(1), IfVersion: 0),
                Destructive = true,
            },
            ModelAction.For<NamespaceContext, DeleteData, StateDeleted>("delete", "Deletes a key (with ifVersion: only when the stored version equals it).", DeleteAsync)
            with
            {
                ExampleContext = new NamespaceContext("default"),
                ExampleData = new DeleteData("counter"),
                Destructive = true,
                Idempotent = true, // a second delete changes nothing more (as notes' delete)
            },
            ModelAction.For<NamespaceContext, KeyPage, StateKeys>("list",
                $"Lists keys in key order with their versions, {ModelInput.DefaultPageSize} per page; filter by prefix; pass nextAfter back as after.", ListAsync)
            with
            {
                ExampleContext = new NamespaceContext("default"),
                ExampleData = new KeyPage(Prefix: "count"),
                ReadOnly = true,
                Idempotent = true,
            },
            ModelAction.For<NoContext, NoData, StateNamespaces>("namespaces", "Lists the namespaces that have keys, with their key count and last write.", NamespacesAsync)
            with
            {
                ReadOnly = true,
                Idempotent = true,
            },
        ];
    }

    public string Name => "state";

    public string Description => "Versioned key/value JSON documents with compare-and-set (ifVersion), per namespace; list a namespace's keys or the namespaces (context: the namespace).";

    public IReadOnlyList<ModelAction> Actions { get; }

    private async ValueTask<ModelResult<StateValue>> GetAsync(ActionCall<NamespaceContext, KeyData> call, CancellationToken ct)
    {
        var (ns, key) = (call.Context.Namespace, CheckedKey(call.Data.Key));
        var entry = await _store.GetAsync(ns, key, ct) ?? throw NotFound(ns, key);
        return new($"Key '{key}' is at version {entry.Version}.", StateValue.From(entry));
    }

    private async ValueTask<ModelResult<StateValue>> SetAsync(ActionCall<NamespaceContext, SetData> call, CancellationToken ct)
    {
        var (ns, key) = (call.Context.Namespace, CheckedKey(call.Data.Key));
        var json = JsonSerializer.Serialize(call.Data.Value, EnvelopeJson.Options);
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > _options.MaxValueBytes)
            throw RequestError.TooLarge("value_too_large",
                $"The value of '{key}' is {bytes} bytes as JSON; values may have at most {_options.MaxValueBytes} bytes (State:MaxValueBytes). Store it in smaller pieces under several keys.");
        var ifVersion = call.Data.IfVersion;

        var result = await _store.SetAsync(ns, key, json, ifVersion, written => Announce(ns, written.Entry!.Key, written.Entry.Version, deleted: false), ct);
        if (result.Outcome == StateOutcome.VersionConflict)
            throw Conflict(key, ifVersion!.Value, result.CurrentVersion);
        var entry = result.Entry!;
        return new(result.CurrentVersion == 0 ? $"Key '{key}' created at version {entry.Version}." : $"Key '{key}' updated to version {entry.Version}.",
            StateValue.From(entry));
    }

    private async ValueTask<ModelResult<StateDeleted>> DeleteAsync(ActionCall<NamespaceContext, DeleteData> call, CancellationToken ct)
    {
        var (ns, key) = (call.Context.Namespace, CheckedKey(call.Data.Key));
        var ifVersion = call.Data.IfVersion;
        var result = await _store.DeleteAsync(ns, key, ifVersion, deleted => Announce(ns, key, deleted.CurrentVersion, deleted: true), ct);
        return result.Outcome switch
        {
            StateOutcome.NotFound => throw NotFound(ns, key),
            StateOutcome.VersionConflict => throw Conflict(key, ifVersion!.Value, result.CurrentVersion),
            _ => new($"Key '{key}' (version {result.CurrentVersion}) deleted.", new StateDeleted(key, true, result.CurrentVersion)),
        };
    }

    private async ValueTask<ModelResult<StateKeys>> ListAsync(ActionCall<NamespaceContext, KeyPage> call, CancellationToken ct)
    {
        var ns = call.Context.Namespace;
        var limit = call.Data.Limit;
        var keys = await _store.ListAsync(ns, call.Data.Prefix, call.Data.After, limit + 1, ct);
        var nextAfter = keys.Count > limit ? keys[limit - 1].Key : null;
        var page = keys.Take(limit).ToArray();
        return new($"{page.Length} key(s) in namespace '{ns}'{(nextAfter is null ? "" : "; more follow")}.", new StateKeys(ns, page, nextAfter));
    }

    private async ValueTask<ModelResult<StateNamespaces>> NamespacesAsync(ActionCall<NoContext, NoData> call, CancellationToken ct)
    {
        var namespaces = await _store.NamespacesAsync(ct);
        return new($"{namespaces.Count} namespace(s) with keys.", new StateNamespaces(namespaces));
    }

    private void Announce(string ns, string key, long version, bool deleted) =>
        _events.Publish(new ModelEvent("state.changed", $"state:{ns}", new StateChanged(ns, key, version, deleted ? true : null)));

    private string CheckedKey(string key)
    {
        if (key.Length > _options.MaxKeyLength)
            throw RequestError.Invalid("data.key", $"is {key.Length} characters long; keys may have at most {_options.MaxKeyLength} (State:MaxKeyLength).");
        if (key.Any(char.IsControl))
            throw RequestError.Invalid("data.key", "holds a control character (such as NUL or a newline); keys are printable text.");
        return key;
    }

    private static RequestError NotFound(string ns, string key) =>
        RequestError.NotFound("state_not_found", $"Namespace '{ns}' has no key '{ModelInput.Shorten(key)}'. The action 'set' creates it; the action 'list' shows the keys.");

    private static RequestError Conflict(string key, long ifVersion, long currentVersion) =>
        RequestError.Conflict("version_conflict", currentVersion == 0
                ? $"Key '{ModelInput.Shorten(key)}' does not exist, so ifVersion {ifVersion} does not match: nothing was written. Use ifVersion 0 to create it."
                : ifVersion == 0
                ? $"Key '{ModelInput.Shorten(key)}' already exists at version {currentVersion}; ifVersion 0 only creates, so nothing was written. Retry with ifVersion {currentVersion} to replace it."
                : $"Key '{ModelInput.Shorten(key)}' is at version {currentVersion}, not {ifVersion}: nothing was written. Read it again, re-apply your change and retry with ifVersion {currentVersion}.",
            new() { ["currentVersion"] = currentVersion });

    public sealed record StateValue(string Key, StoredJson Value, long Version, DateTime UpdatedAt)
    {
        public static StateValue From(StateEntry entry) => new(entry.Key, entry.Value, entry.Version, entry.UpdatedAt);
    }

    public sealed record StateDeleted(string Key, bool Deleted, long Version);

    public sealed record StateNamespaces(IReadOnlyList<StateNamespaceInfo> Namespaces);

    public sealed record StateKeys(string Namespace, IReadOnlyList<StateKeyInfo> Keys, string? NextAfter);

    /// <summary>The <c>state.changed</c> event's data; <c>deleted</c> appears only for deletions.</summary>
    public sealed record StateChanged(string Namespace, string Key, long Version,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? Deleted);

    /// <summary>The namespace, as a plain string or <c>{"namespace": ...}</c>.</summary>
    [PlainString(nameof(Namespace))]
    public sealed record NamespaceContext([Name, ContextScope, Description("The namespace (default: default).")] string Namespace = DefaultNamespace);

    public sealed record KeyData([MinLength(1)] string Key);

    public sealed record SetData(
        [MinLength(1)] string Key,
        [Description("Any JSON value.")] JsonElement Value,
        [Range(0, long.MaxValue), Description("Write only when the stored version is this (0: create only).")] long? IfVersion = null);

    public sealed record DeleteData([MinLength(1)] string Key, [Range(0, long.MaxValue)] long? IfVersion = null);

    public sealed record KeyPage(
        string Prefix = "",
        [Description("Only keys sorting after this one.")] string? After = null,
        [Range(1, ModelInput.MaxPageSize)] int Limit = ModelInput.DefaultPageSize);
}
