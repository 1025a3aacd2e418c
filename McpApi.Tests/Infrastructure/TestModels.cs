using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using McpApi.Dispatching;

namespace McpApi.Tests.Infrastructure;

/// <summary>A model registered only in tests: a strict schema (for 422s) and an action that fails (for 500s).</summary>
internal sealed class ProbeModel : IModelHandler
{
    public string Name => "probe";

    public string Description => "Test-only model.";

    public IReadOnlyList<ModelAction> Actions { get; } =
    [
        ModelAction.For<GreetContext, GreetData, GreetResult>("greet", "Greets someone.",
            static (call, _) => ValueTask.FromResult(new ModelResult<GreetResult>("Greeted", new GreetResult($"Hello, {call.Data.Name}!", call.Context.User)))),
        ModelAction.For<JsonElement, JsonElement, JsonElement>("explode", "Always fails.",
            static (_, _) => throw new InvalidOperationException("secret internal detail at /srv/app/Secret.cs:42")),
        ModelAction.For<JsonElement, JsonElement, JsonElement>("conflict", "Always conflicts.",
            static (_, _) => throw RequestError.Conflict("version_conflict", "The version is 3, not 2.", new() { ["currentVersion"] = 3 })),
    ];

    [PlainString(nameof(User))]
    public sealed record GreetContext(string? User = null, string? Room = null);

    public sealed record GreetData([MinLength(1)] string Name, [Range(1, long.MaxValue)] long? Times = null);

    public sealed record GreetResult(string Greeting, string? Who);
}
