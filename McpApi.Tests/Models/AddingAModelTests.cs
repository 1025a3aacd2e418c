using System.ComponentModel;
using System.Net;
using McpApi.Dispatching;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Models;

/// <summary>The README's "Adding a model" example, verbatim: one class and one registration line make a working model.</summary>
public sealed class AddingAModelTests : IDisposable
{
    public sealed class ClockModel : IModelHandler
    {
        public string Name => "clock";
        public string Description => "Tells the time.";
        public IReadOnlyList<ModelAction> Actions { get; } =
        [
            // ModelAction.For<context, data, result>(name, description, handler)
            ModelAction.For<ZoneContext, NowData, ClockTime>("now", "The server's time.", NowAsync)
            with { ExampleContext = new ZoneContext("UTC"), ExampleData = new NowData(Seconds: true), ReadOnly = true },
        ];

        private static ValueTask<ModelResult<ClockTime>> NowAsync(ActionCall<ZoneContext, NowData> call, CancellationToken ct) =>
            ValueTask.FromResult(new ModelResult<ClockTime>($"The time in {call.Context.Zone}",
                new ClockTime(call.Context.Zone, DateTimeOffset.UtcNow.ToString(call.Data.Seconds ? "HH:mm:ss" : "HH:mm"))));

        [PlainString(nameof(Zone))]   // "context": "UTC" is {"zone": "UTC"}
        public sealed record ZoneContext([Name, Description("The time zone.")] string Zone = "UTC");

        public sealed record NowData([Description("Show seconds.")] bool Seconds = false);

        public sealed record ClockTime(string Zone, string Time);
    }

    private readonly McpApiApplication _app = new() { Configure = services => services.AddModel<ClockModel>() };

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task TheReadmeModelIsListedWithGeneratedSchemasAndAnswersEveryShape()
    {
        var client = _app.CreateClient();
        var catalog = await client.GetJsonAsync("/mcp/models");
        var now = catalog.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "clock")
            .GetProperty("actions")[0];
        now.GetProperty("dataSchema").GetProperty("properties").GetProperty("seconds").GetProperty("type").GetString().ShouldBe("boolean");
        now.GetProperty("contextSchema").GetProperty("properties").GetProperty("zone").GetProperty("description").GetString().ShouldBe("The time zone.");
        now.GetProperty("resultSchema").GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["zone", "time"]);
        now.GetProperty("example").GetProperty("context").GetString().ShouldBe("UTC");

        var example = await client.PostRawAsync(now.GetProperty("example").GetRawText());
        example.StatusCode.ShouldBe(HttpStatusCode.OK, example.ToString());
        example.Data.GetProperty("time").GetString()!.Length.ShouldBe(8);
        var plain = await client.PostRawAsync("""{"model":"clock"}""");
        plain.Data.GetProperty("zone").GetString().ShouldBe("UTC");
        plain.Data.GetProperty("time").GetString()!.Length.ShouldBe(5);
        var wrong = await client.PostRawAsync("""{"model":"clock","data":{"seconds":"yes"}}""");
        wrong.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrong.Data.GetProperty("errors").TryGetProperty("data.seconds", out _).ShouldBeTrue(wrong.ToString());
    }
}
