using McpApi.Dispatching;
using McpApi.Doors.Realtime;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Realtime;

/// <summary>Topic names on their own: <c>{model}:{scope}</c> with a registered model and a plain scope.</summary>
public sealed class TopicsTests
{
    private readonly ModelRegistry _registry = new([new ProbeModel()]);

    [Fact]
    public void ValidTopicsComeBackOnceEachInOrder()
    {
        Topics.Validate(["probe:b", "probe:a", "probe:b"], _registry, "topics").ShouldBe(["probe:b", "probe:a"]);
    }

    [Theory]
    [InlineData("lobby", "is not {model}:{scope}")]
    [InlineData(":lobby", "is not {model}:{scope}")]
    [InlineData("probe:", "is not {model}:{scope}")]
    [InlineData("ghost:x", "names no model 'ghost' (models: probe)")]
    [InlineData("Probe:x", "names no model 'Probe'")]
    [InlineData("probe:a b", "contains a space")]
    [InlineData("probe:a,b", "contains a space, comma")]
    [InlineData("probe:a=b", "or '='")]
    public void BadTopicsAre422NamingEachProblem(string topic, string problem)
    {
        var error = Should.Throw<RequestError>(() => Topics.Validate([topic, "probe:ok"], _registry, "topics"));

        error.StatusCode.ShouldBe(422);
        error.Code.ShouldBe(RealtimeErrorCodes.InvalidTopic);
        error.Errors!["topics"].ShouldHaveSingleItem().ShouldContain(problem);
        error.Message.ShouldContain("'chat:lobby'");
        error.Extra!["models"].ShouldBe(_registry.Names);
    }

    [Fact]
    public void AScopeLongerThanTheLimitIsRefusedAndOneAtTheLimitIsNot()
    {
        Topics.Validate(["probe:" + new string('s', Topics.MaxScopeLength)], _registry, "topics").ShouldHaveSingleItem();

        var error = Should.Throw<RequestError>(() => Topics.Validate(["probe:" + new string('s', Topics.MaxScopeLength + 1)], _registry, "topics"));
        error.Errors!["topics"][0].ShouldContain($"longer than {Topics.MaxScopeLength}");
    }

    [Fact]
    public void EveryBadTopicIsListed()
    {
        var error = Should.Throw<RequestError>(() => Topics.Validate(["x", "ghost:y", "probe:fine"], _registry, "data.topics"));

        error.Errors!["data.topics"].Length.ShouldBe(2);
    }
}
