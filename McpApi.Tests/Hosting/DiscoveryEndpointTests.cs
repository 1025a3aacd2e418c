using System.Net;
using System.Text.Json;
using McpApi.Hosting;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Hosting;

public sealed class DiscoveryEndpointTests : IDisposable
{
    private readonly McpApiApplication _app = new() { Configure = services => services.AddModel<ProbeModel>() };

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ModelsListingDescribesEveryModelActionSchemaAndExample()
    {
        var catalog = await _app.CreateClient().GetJsonAsync("/mcp/models");

        var models = catalog.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        models.Keys.ShouldContain("echo");
        var probe = models["probe"];
        probe.GetProperty("defaultAction").GetString().ShouldBe("greet");
        probe.GetProperty("description").GetString().ShouldBe("Test-only model.");
        var greet = probe.GetProperty("actions")[0];
        greet.GetProperty("name").GetString().ShouldBe("greet");
        greet.GetProperty("dataSchema").GetProperty("required")[0].GetString().ShouldBe("name");
        greet.GetProperty("example").GetProperty("model").GetString().ShouldBe("probe");
        models["echo"].GetProperty("actions")[0].GetProperty("readOnly").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task SwaggerDocumentDescribesPostMcpWithExamplesAndEveryStatus()
    {
        var doc = await _app.CreateClient().GetJsonAsync("/swagger/v1/swagger.json");

        var post = doc.GetProperty("paths").GetProperty("/mcp").GetProperty("post");
        var responses = post.GetProperty("responses");
        foreach (var status in new[] { "200", "400", "404", "409", "413", "415", "422", "500", "503" })
            responses.TryGetProperty(status, out _).ShouldBeTrue($"status {status} is documented");
        var examples = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        examples.TryGetProperty("seed-echo", out _).ShouldBeTrue();
        var seedChat = examples.GetProperty("seed-chat").GetProperty("value");
        seedChat.GetProperty("model").GetString().ShouldBe("chat");
        seedChat.GetProperty("context").GetString().ShouldBe("user");
        seedChat.GetProperty("data").GetString().ShouldBe("Hello, world!");
        examples.TryGetProperty("echo-echo", out _).ShouldBeTrue();
        examples.TryGetProperty("probe-greet", out _).ShouldBeTrue();
        doc.GetProperty("paths").TryGetProperty("/mcp/models", out _).ShouldBeTrue();
        doc.GetProperty("paths").TryGetProperty("/health", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task SwaggerUiIsServed()
    {
        var response = await _app.CreateClient().GetAsync("/swagger/index.html");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("swagger-ui");
    }

    [Fact]
    public async Task SwaggerCanBeTurnedOff()
    {
        using var app = new McpApiApplication();
        app.Settings["McpApi:EnableSwagger"] = "false";

        var response = await app.CreateClient().GetAsync("/swagger/v1/swagger.json");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    public async Task HealthEndpointsReportHealthy(string path)
    {
        var body = await _app.CreateClient().GetJsonAsync(path);

        body.GetProperty("status").GetString().ShouldBe("Healthy");
        body.GetProperty("checks").EnumerateObject().ShouldNotBeEmpty();
    }

    [Fact]
    public void InvalidMaxRequestBytesIsRejectedWithAnActionableMessage()
    {
        var result = new McpApiOptionsValidator().Validate(null, new McpApiOptions { MaxRequestBytes = 5 });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("McpApi:MaxRequestBytes");
        result.FailureMessage.ShouldContain("1048576");
    }

    [Fact]
    public void InvalidMaxRequestBytesStopsStartup()
    {
        using var app = new McpApiApplication();
        app.Settings["McpApi:MaxRequestBytes"] = "5";

        Should.Throw<Exception>(() => app.CreateClient());
    }

    [Fact]
    public void ModelsDeclaredTwiceOrWithBrokenSchemasAreRejectedAtStartup()
    {
        Should.Throw<InvalidOperationException>(() => new McpApi.Dispatching.ModelRegistry([new ProbeModel(), new ProbeModel()]))
            .Message.ShouldContain("unique");
    }
}
