using System.Text.RegularExpressions;
using McpApi.Dispatching;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Robustness;

/// <summary>Names are exactly what <see cref="NameAttribute.Rule"/> says, on every door and in every schema.</summary>
public sealed class NamePatternTests(RealtimeServerFixture fixture) : IClassFixture<RealtimeServerFixture>
{
    private RealtimeServer Server => fixture.Server;

    public static TheoryData<string> Doors() => [.. EnvelopeDoor.Names];

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task ANameWithATrailingNewlineIsRefusedNotStoredBesideTheName(string door)
    {
        await using var connection = await EnvelopeDoor.OpenAsync(Server, door);

        foreach (var body in new[]
        {
            """{"model":"chat","action":"send","context":{"user":"ana","room":"lobby\n"},"data":"hi"}""",
            """{"model":"chat","action":"send","context":"ana\n","data":"hi"}""",
            """{"model":"move","action":"new","context":{"player":"ana"},"data":{"id":"g-DOOR\n"}}""".Replace("DOOR", door),
            """{"model":"notes","action":"add","context":{"notebook":"work\n"},"data":"x"}""",
            """{"model":"state","action":"set","context":{"namespace":"ns\n"},"data":{"key":"k","value":1}}""",
        })
        {
            var reply = await connection.SendAsync(body);
            reply.Code.ShouldBe("validation_failed", $"{body}: {reply}");
            if (door == "http")
                reply.HttpStatus.ShouldBe(422);
        }
    }

    private static readonly string[] Candidates =
        ["lobby", "a", "A.b-c_9", new string('x', 64), "lobby\n", "lobby\r", "\nlobby", "lob by", "", new string('x', 65), "lobby\n\n", "é"];

    /// <summary>The rule in words, as plain code: 1 to 64 of the allowed characters, nothing else.</summary>
    private static bool FollowsTheRule(string value) =>
        value.Length is >= 1 and <= 64 && value.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.' or '-');

    [Fact]
    public void EveryNamePatternInTheGeneratedSchemasAndTheCSharpChecksAgreeWithTheRule()
    {
        var registry = Server.Services.GetRequiredService<ModelRegistry>();
        var patterns = registry.Models.SelectMany(m => m.Actions)
            .SelectMany(a => new[] { a.DataSchema, a.ContextSchema })
            .SelectMany(Patterns)
            .Distinct()
            .ToArray();
        patterns.ShouldNotBeEmpty();

        foreach (var candidate in Candidates)
        {
            var expected = FollowsTheRule(candidate);
            new NameAttribute().IsValid(candidate).ShouldBe(expected, $"NameAttribute on {candidate.Replace("\n", "\\n")}");
            McpApi.Models.ModelInput.IsName(candidate).ShouldBe(expected, $"ModelInput.IsName on {candidate.Replace("\n", "\\n")}");
            // JSON Schema validators, .NET, Python and JavaScript clients read a schema's pattern with IsMatch/search semantics.
            foreach (var pattern in patterns)
            {
                Regex.IsMatch(candidate, pattern).ShouldBe(expected, $"{pattern} on {candidate.Replace("\n", "\\n")}");
                Regex.IsMatch(candidate, pattern, RegexOptions.ECMAScript).ShouldBe(expected, $"{pattern} (ECMAScript) on {candidate.Replace("\n", "\\n")}");
            }
        }
    }

    private static IEnumerable<string> Patterns(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject obj => obj.SelectMany(p => p.Key == "pattern" && p.Value is System.Text.Json.Nodes.JsonValue v
            ? [v.GetValue<string>()]
            : Patterns(p.Value)),
        System.Text.Json.Nodes.JsonArray array => array.SelectMany(Patterns),
        _ => [],
    };
}
