using System.Text;
using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Envelopes;

namespace McpApi.Tests.Envelopes;

/// <summary>The envelope parser on its own: what it accepts, and the 400 it gives for everything else.</summary>
public sealed class EnvelopeParserTests
{
    private static Envelope Parse(string json) => EnvelopeParser.Parse(Encoding.UTF8.GetBytes(json), out _);

    private static RequestError Refused(string json) => Should.Throw<RequestError>(() => Parse(json));

    [Fact]
    public void AFullEnvelopeGivesModelActionContextDataAndId()
    {
        var envelope = Parse("""{"model":"chat","action":"send","context":{"user":"ana","room":"lobby"},"data":"hi","id":7}""");

        envelope.Model.ShouldBe("chat");
        envelope.Action.ShouldBe("send");
        envelope.Context.Raw.GetProperty("room").GetString().ShouldBe("lobby");
        envelope.Data.GetString().ShouldBe("hi");
        envelope.Id.GetInt32().ShouldBe(7);
        envelope.HasData.ShouldBeTrue();
    }

    [Fact]
    public void WithoutAModelTheWholeBodyIsTheSeedsEchoShapeAndItsActionIsPayload()
    {
        var envelope = Parse("""{"action":"anything","data":{"x":1}}""");

        envelope.Model.ShouldBe(EnvelopeParser.DefaultModel);
        envelope.Action.ShouldBeNull();
        envelope.Raw.GetProperty("action").GetString().ShouldBe("anything");
    }

    [Fact]
    public void AbsentDataIsUndefinedAndNullActionOrContextAreAllowed()
    {
        var envelope = Parse("""{"model":"echo","action":null,"context":null}""");

        envelope.HasData.ShouldBeFalse();
        envelope.Action.ShouldBeNull();
        envelope.Context.Raw.ValueKind.ShouldBe(JsonValueKind.Undefined);
    }

    [Theory]
    [InlineData("", ErrorCodes.EmptyBody)]
    [InlineData("{not json", ErrorCodes.MalformedJson)]
    [InlineData("[1,2]", ErrorCodes.EnvelopeNotObject)]
    [InlineData("\"text\"", ErrorCodes.EnvelopeNotObject)]
    [InlineData("""{"model":""}""", ErrorCodes.InvalidEnvelope)]
    [InlineData("""{"model":5}""", ErrorCodes.InvalidEnvelope)]
    [InlineData("""{"model":"echo","action":[]}""", ErrorCodes.InvalidEnvelope)]
    [InlineData("""{"model":"echo","context":3}""", ErrorCodes.InvalidEnvelope)]
    [InlineData("""{"model":"echo","id":{}}""", ErrorCodes.InvalidEnvelope)]
    [InlineData("""{"model":"echo","data":"\ud800"}""", ErrorCodes.MalformedJson)]
    public void BadBodiesAre400WithTheirCode(string json, string code)
    {
        var error = Refused(json);

        error.StatusCode.ShouldBe(400);
        error.Code.ShouldBe(code);
    }

    [Fact]
    public void EveryWrongFieldIsNamedInOneAnswer()
    {
        var error = Refused("""{"model":1,"context":true,"id":[]}""");

        error.Errors!.Keys.ShouldBe(["model", "context", "id"], ignoreOrder: true);
        error.Message.ShouldContain("'model' must be a non-empty string");
    }

    [Fact]
    public void MalformedJsonSaysWhere()
    {
        Refused("{\n\"model\": \"echo\",,\n}").Message.ShouldContain("at line 2");
    }

    [Fact]
    public void InvalidUtf8IsRefusedBeforeParsing()
    {
        var error = Should.Throw<RequestError>(() => EnvelopeParser.Parse(new byte[] { (byte)'{', 0xFF, (byte)'}' }, out _));

        error.Code.ShouldBe(ErrorCodes.MalformedJson);
        error.Message.ShouldContain("UTF-8");
    }

    [Fact]
    public void ALoneSurrogateIsReportedWithItsPath()
    {
        Refused("""{"model":"echo","data":{"list":["ok","\udc00"]}}""").Message.ShouldContain("'data.list[1]'");
    }

    [Fact]
    public void NestingDeeperThanTheMaximumIsRefusedAsTooDeep()
    {
        var deep = new string('[', EnvelopeParser.MaxDepth) + new string(']', EnvelopeParser.MaxDepth);
        var fits = new string('[', EnvelopeParser.MaxDepth - 1) + new string(']', EnvelopeParser.MaxDepth - 1);

        Refused($$"""{"model":"echo","data":{{deep}}}""").Code.ShouldBe(ErrorCodes.NestingTooDeep);
        Parse($$"""{"model":"echo","data":{{fits}}}""").HasData.ShouldBeTrue();
    }

    [Fact]
    public void AnElementParsesTheSameAsItsBytes()
    {
        using var document = JsonDocument.Parse("""{"model":"notes","data":"x"}""");

        EnvelopeParser.Parse(document.RootElement).Model.ShouldBe("notes");
    }
}
