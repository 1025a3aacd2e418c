using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Auth;

/// <summary>The HTTP envelope door with <c>Auth:Mode=ApiKey</c>: 401 without a (valid) key, 403 without the scope, nothing written when refused.</summary>
public sealed class ApiKeyEnvelopeTests
{
    private static readonly object AddToWork = new { model = "notes", action = "add", context = "work", data = "secret plan" };
    private static readonly object ListWork = new { model = "notes", action = "list", context = "work" };

    [Fact]
    public async Task WithoutAKeyTheCallIs401UnauthenticatedWithAChallengeAndNothingIsWritten()
    {
        using var app = TestKeys.ApiKeyApp();
        var client = app.CreateClient();

        using var response = await client.PostAsync("/mcp", Json(AddToWork));
        var reply = await EnvelopeClient.ReadAsync(response);

        reply.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        reply.Status.ShouldBe("error");
        reply.Code.ShouldBe("unauthenticated");
        reply.Message.ShouldContain("X-Api-Key");
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        await ShouldHoldNoNotes(app);
    }

    [Fact]
    public async Task AWrongKeyIs401SayingTheKeyWasRefusedAndNothingIsWritten()
    {
        using var app = TestKeys.ApiKeyApp();
        var client = app.CreateClient().WithKey("not-a-key");

        var reply = await client.PostEnvelopeAsync(AddToWork);

        reply.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        reply.Code.ShouldBe("unauthenticated");
        reply.Message.ShouldContain("API key was refused");
        reply.Message.ShouldNotContain("not-a-key");
        await ShouldHoldNoNotes(app);
    }

    [Fact]
    public async Task AKeyWithoutTheScopeIs403NamingTheMissingScopeAndNothingIsWritten()
    {
        using var app = TestKeys.ApiKeyApp();
        var ana = app.CreateClient().WithKey(TestKeys.Ana); // chat:*, notes:read

        var reply = await ana.PostEnvelopeAsync(AddToWork);

        reply.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        reply.Code.ShouldBe("forbidden");
        reply.Message.ShouldContain("'notes:add'");
        reply.Data.GetProperty("requiredScope").GetString().ShouldBe("notes:add");
        await ShouldHoldNoNotes(app);
    }

    [Fact]
    public async Task AKeyWithTheScopeIsServedThroughEitherHeader()
    {
        using var app = TestKeys.ApiKeyApp();
        var bob = app.CreateClient().WithKey(TestKeys.Bob); // notes:*:work
        var ana = app.CreateClient();
        ana.DefaultRequestHeaders.Add("X-Api-Key", TestKeys.Ana); // notes:read

        (await bob.PostEnvelopeAsync(AddToWork)).Status.ShouldBe("success");
        var list = await ana.PostEnvelopeAsync(ListWork);

        list.Status.ShouldBe("success", list.ToString());
        list.Data.GetProperty("notes")[0].GetProperty("text").GetString().ShouldBe("secret plan");
    }

    [Fact]
    public async Task AScopeOnOneNotebookDoesNotReachAnother()
    {
        using var app = TestKeys.ApiKeyApp();
        var bob = app.CreateClient().WithKey(TestKeys.Bob); // notes:*:work

        var reply = await bob.PostEnvelopeAsync(new { model = "notes", action = "add", data = "in the default notebook" });

        reply.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        reply.Message.ShouldContain("on 'default'");
        reply.Data.GetProperty("requiredScope").GetString().ShouldBe("notes:add:default");
        await ShouldHoldNoNotes(app, "default");
    }

    [Fact]
    public async Task TheModelListShowsOnlyWhatTheCallerMayCall()
    {
        using var app = TestKeys.ApiKeyApp();

        var anonymous = await app.CreateClient().GetAsync("/mcp/models");
        var ana = await app.CreateClient().WithKey(TestKeys.Ana).GetJsonAsync("/mcp/models");
        var admin = await app.CreateClient().WithKey(TestKeys.Admin).GetJsonAsync("/mcp/models");

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var anaModels = ana.GetProperty("models").EnumerateArray().ToDictionary(
            m => m.GetProperty("name").GetString()!, m => m.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("name").GetString()).ToArray());
        anaModels.Keys.ShouldBe(["chat", "notes"], ignoreOrder: true);
        anaModels["chat"].ShouldBe(["send", "history", "rooms"]);
        anaModels["notes"].ShouldBe(["list", "latest", "summary_prompt", "notebooks"]);
        admin.GetProperty("models").GetArrayLength().ShouldBe(5);
    }

    [Fact]
    public async Task HealthStaysOpenButReadinessShowsNoDetailsToAnonymousCallers()
    {
        using var app = TestKeys.ApiKeyApp();

        var live = await app.CreateClient().GetAsync("/health");
        var anonymous = await app.CreateClient().GetStringAsync("/health/ready");
        var admin = await app.CreateClient().WithKey(TestKeys.Admin).GetStringAsync("/health/ready");

        live.StatusCode.ShouldBe(HttpStatusCode.OK);
        anonymous.ShouldNotContain(app.DataDirectory);
        admin.ShouldContain(app.DataDirectory);
    }

    private static StringContent Json(object envelope) =>
        new(System.Text.Json.JsonSerializer.Serialize(envelope), System.Text.Encoding.UTF8, "application/json");

    private static async Task ShouldHoldNoNotes(McpApiApplication app, string notebook = "work")
    {
        var admin = app.CreateClient().WithKey(TestKeys.Admin);
        var list = await admin.PostEnvelopeAsync(new { model = "notes", action = "list", context = notebook });
        list.Status.ShouldBe("success", list.ToString());
        list.Data.GetProperty("notes").GetArrayLength().ShouldBe(0);
    }
}
