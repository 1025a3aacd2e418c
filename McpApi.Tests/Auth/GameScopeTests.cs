using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Auth;

/// <summary>
/// <c>move new</c> is checked against the game it creates, named in the context like every other move action, so a
/// key scoped to one game (<c>move:*:g1</c>) can create that game and no other.
/// </summary>
public sealed class GameScopeTests
{
    [Fact]
    public async Task AKeyScopedToOneGameCreatesThatGameNamedInTheContextAndNoOther()
    {
        using var app = TestKeys.ApiKeyApp();
        var carol = app.CreateClient().WithKey(TestKeys.Carol); // move:*:g1

        var created = await carol.PostEnvelopeAsync(new { model = "move", action = "new", context = new { game = "g1" } });
        var other = await carol.PostEnvelopeAsync(new { model = "move", action = "new", context = new { game = "g2" } });
        var byData = await carol.PostEnvelopeAsync(new { model = "move", action = "new", data = new { id = "g3" } });
        var joined = await carol.PostEnvelopeAsync(new { model = "move", action = "join", context = new { game = "g1" } });

        created.Status.ShouldBe("success", created.ToString());
        created.Data.GetProperty("id").GetString().ShouldBe("g1");
        other.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        other.Data.GetProperty("requiredScope").GetString().ShouldBe("move:new:g2");
        byData.StatusCode.ShouldBe(HttpStatusCode.Forbidden, byData.ToString());
        joined.Status.ShouldBe("success", joined.ToString());
        var admin = app.CreateClient().WithKey(TestKeys.Admin);
        (await admin.PostEnvelopeAsync(new { model = "move", action = "get", context = new { game = "g2" } })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.PostEnvelopeAsync(new { model = "move", action = "get", context = new { game = "g3" } })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AGameNamedBothInTheContextAndInDataMustBeTheSameGame()
    {
        using var app = TestKeys.ApiKeyApp();
        var admin = app.CreateClient().WithKey(TestKeys.Admin);

        var same = await admin.PostEnvelopeAsync(new { model = "move", action = "new", context = new { game = "g1" }, data = new { id = "g1" } });
        var differ = await admin.PostEnvelopeAsync(new { model = "move", action = "new", context = new { game = "g2" }, data = new { id = "g9" } });

        same.Status.ShouldBe("success", same.ToString());
        differ.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, differ.ToString());
        differ.Message.ShouldContain("g9");
        (await admin.PostEnvelopeAsync(new { model = "move", action = "get", context = new { game = "g9" } })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
