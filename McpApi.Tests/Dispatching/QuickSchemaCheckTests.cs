using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using McpApi.Dispatching;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Dispatching;

/// <summary>
/// The quick check in front of the JSON Schema evaluator never disagrees with it: whenever it is sure (valid or
/// invalid), the full evaluation says the same, for every action's generated schema and for schemas that use each
/// keyword it handles, over a corpus of valid, invalid and awkward values.
/// </summary>
public sealed class QuickSchemaCheckTests
{
    private static readonly string[] Corpus =
    [
        "null", "true", "false", "0", "1", "-1", "8", "9", "1.0", "1.5", "1e2", "-0", "1e400", "99999999999999999999999999999999",
        "\"\"", "\"a\"", "\"hello\"", "\"é\"", "\"ab\"", "\"a\\r\\nb\"", "\"\\r\\n\"", "\"abcdefghijk\"", "\"😀\"",
        "[]", "[1]", "{}",
        """{"text":"hi"}""", """{"text":""}""", """{"text":1}""", """{"text":"hi","extra":1}""",
        """{"key":"k"}""", """{"key":""}""", """{"key":1}""", """{"key":"k","value":1}""", """{"key":"k","value":null}""",
        """{"key":"k","value":{"a":[1,2]},"ifVersion":3}""", """{"key":"k","value":1,"ifVersion":-1}""", """{"key":"k","value":1,"ifVersion":1.5}""",
        """{"key":"k","value":1,"extra":true}""", """{"key":"k","value":1e400}""", """{"key":"k","value":[1,{"a":1e400}]}""", """{"value":1}""",
        """{"cell":4}""", """{"cell":9}""", """{"cell":-1}""", """{"cell":4.0}""", """{"cell":"4"}""", """{"row":1,"col":2}""", """{"row":1}""",
        """{"row":3,"col":0}""", """{"cell":1,"row":0,"col":1}""",
        """{"limit":50}""", """{"limit":0}""", """{"limit":501}""", """{"limit":500}""", """{"before":1,"after":0}""", """{"before":0}""",
        """{"after":-1}""", """{"limit":1e1}""",
        """{"id":"g-1"}""", """{"id":"bad name"}""", """{"id":""}""", """{"id":"é"}""",
        """{"n":5}""", """{"n":10}""", """{"n":10.5}""", """{"s":"abc","n":0}""", """{"s":"ab\r\ncd"}""",
    ];

    private static readonly string[] Schemas =
    [
        """true""", """false""", """{}""",
        """{"type":"integer","minimum":0,"maximum":8}""",
        """{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":10}""",
        """{"type":["object","null"],"properties":{"n":{"type":"integer","maximum":9}},"additionalProperties":false}""",
        """{"type":"object","properties":{"s":{"type":"string","minLength":2,"maxLength":5}},"additionalProperties":{"type":"number"}}""",
        """{"type":"string","minLength":1,"maxLength":3}""",
        """{"oneOf":[{"type":"string"},{"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false}]}""",
        """{"oneOf":[{"type":"number"},{"type":"integer"}]}""",
        """{"anyOf":[{"required":["cell"]},{"required":["row","col"]}],"type":"object"}""",
        """{"allOf":[{"type":"object"},{"required":["key"]}],"properties":{"key":{"type":"string","minLength":1}}}""",
        """{"type":"object","properties":{"id":{"type":"string","pattern":"^[a-z0-9-]+$"}}}""",
        """{"enum":[1,2,3]}""",
        """{"type":"object","properties":{"key":{"type":"string","minLength":1},"value":{"description":"Any JSON value."}},"required":["key","value"]}""",
    ];

    [Fact]
    public void WhenTheQuickCheckIsSureItAgreesWithTheFullEvaluationForEveryActionsSchema()
    {
        using var app = new McpApiApplication();
        var registry = app.Services.GetRequiredService<ModelRegistry>();
        var actions = registry.Models.SelectMany(m => m.Actions).ToArray();
        actions.Length.ShouldBeGreaterThan(10);

        var decided = 0;
        foreach (var action in actions)
        {
            foreach (var json in Corpus)
                decided += Agrees($"{action.Model}.{action.Name}", action.QuickCheck, action.Schema, json);
        }
        decided.ShouldBeGreaterThan(actions.Length * Corpus.Length / 2, "the quick check decides most cases itself");
    }

    [Fact]
    public void WhenTheQuickCheckIsSureItAgreesWithTheFullEvaluationForEachKeywordItHandles()
    {
        foreach (var text in Schemas)
        {
            var node = JsonNode.Parse(text);
            var quick = QuickSchemaCheck.Compile(node);
            var full = JsonSchema.FromText(text);
            foreach (var json in Corpus)
                Agrees(text, quick, full, json);
        }
    }

    [Theory]
    [InlineData("chat", "send", "\"Hello, world!\"")]
    [InlineData("chat", "send", """{"text":"Hello"}""")]
    [InlineData("notes", "add", "\"a note\"")]
    [InlineData("state", "set", """{"key":"k-1","value":{"hello":"world"},"ifVersion":3}""")]
    [InlineData("state", "get", """{"key":"read"}""")]
    [InlineData("chat", "history", """{"limit":50}""")]
    [InlineData("move", "play", """{"cell":4}""")]
    [InlineData("notes", "latest", "null")]
    public void TheDataOfCommonRequestsIsPassedWithoutTheFullEvaluation(string model, string action, string json)
    {
        using var app = new McpApiApplication();
        app.Services.GetRequiredService<ModelRegistry>().TryGet(model, out var registered).ShouldBeTrue();
        registered.TryGetAction(action, out var found).ShouldBeTrue();

        found.QuickCheck.Check(JsonDocument.Parse(json).RootElement).ShouldBe(SchemaVerdict.Valid);
    }

    [Fact]
    public void KeywordsItDoesNotHandleLeaveTheDecisionToTheFullEvaluation()
    {
        QuickSchemaCheck.Compile(JsonNode.Parse("""{"type":"string","pattern":"^a$"}""")).Check(JsonDocument.Parse("\"a\"").RootElement)
            .ShouldBe(SchemaVerdict.Unknown);
        QuickSchemaCheck.Compile(JsonNode.Parse("""{"type":"string","minLength":2}""")).Check(JsonDocument.Parse("\"é\"").RootElement)
            .ShouldBe(SchemaVerdict.Unknown);
        QuickSchemaCheck.Compile(JsonNode.Parse("""{"type":"integer"}""")).Check(JsonDocument.Parse("1.0").RootElement)
            .ShouldBe(SchemaVerdict.Unknown);
    }

    /// <summary>1 when the quick check decided (and agreed), 0 when it left the case to the full evaluation.</summary>
    private static int Agrees(string schemaName, QuickSchemaCheck quick, JsonSchema full, string json)
    {
        var instance = JsonDocument.Parse(json).RootElement;
        var verdict = quick.Check(instance);
        if (verdict == SchemaVerdict.Unknown)
            return 0;
        bool expected;
        try
        {
            expected = full.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List }).IsValid;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            // The validator answers such numbers with a message of its own: the quick check must not pass them.
            verdict.ShouldNotBe(SchemaVerdict.Valid, $"{schemaName} on {json}: the full evaluation cannot read it");
            return 1;
        }
        (verdict == SchemaVerdict.Valid).ShouldBe(expected, $"{schemaName} on {json}");
        return 1;
    }
}
