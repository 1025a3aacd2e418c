using McpApi.Dispatching;

namespace McpApi.Tests.Infrastructure;

/// <summary>A model registered only in tests: a strict schema (for 422s) and an action that fails (for 500s).</summary>
internal sealed class ProbeModel : IModelHandler
{
    public string Name => "probe";

    public string Description => "Test-only model.";

    public IReadOnlyList<ModelAction> Actions { get; } =
    [
        new("greet", "Greets someone.",
            """{"type":"object","properties":{"name":{"type":"string","minLength":1},"times":{"type":"integer","minimum":1}},"required":["name"],"additionalProperties":false}""",
            static (call, _) => ValueTask.FromResult(new ModelResult("Greeted",
                new { greeting = $"Hello, {call.Data.GetProperty("name").GetString()}!", who = call.Context.GetOrText("user") }))),
        new("explode", "Always fails.", "{}",
            static (_, _) => throw new InvalidOperationException("secret internal detail at /srv/app/Secret.cs:42")),
        new("conflict", "Always conflicts.", "{}",
            static (_, _) => throw RequestError.Conflict("version_conflict", "The version is 3, not 2.", new() { ["currentVersion"] = 3 })),
    ];
}
