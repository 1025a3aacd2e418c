using McpApi.Auth;

namespace McpApi.Tests.Auth;

/// <summary>The pure scope rules: parsing, wildcards, read/write groups and the context-scope part.</summary>
public sealed class AccessScopeTests
{
    private static ScopeSet Scopes(params string[] texts)
    {
        var errors = new List<string>();
        var set = ScopeSet.Parse(texts, errors);
        errors.ShouldBeEmpty();
        return set;
    }

    [Theory]
    [InlineData("chat:send", "chat", "send", false, "lobby", true)]
    [InlineData("chat:send", "chat", "history", true, "lobby", false)]
    [InlineData("chat:send", "notes", "send", false, null, false)]
    [InlineData("CHAT:Send", "chat", "send", false, null, true)]
    [InlineData("notes:*:work", "notes", "add", false, "work", true)]
    [InlineData("notes:*:work", "notes", "list", true, "work", true)]
    [InlineData("notes:*:work", "notes", "add", false, "default", false)]
    [InlineData("notes:*:work", "notes", "add", false, "Work", false)]
    [InlineData("notes:*:work", "notes", "add", false, null, false)]
    [InlineData("state:read", "state", "get", true, "any", true)]
    [InlineData("state:read", "state", "set", false, "any", false)]
    [InlineData("state:write", "state", "set", false, "any", true)]
    [InlineData("state:write", "state", "list", true, "any", false)]
    [InlineData("*:read", "move", "get", true, "g1", true)]
    [InlineData("*:read", "move", "play", false, "g1", false)]
    [InlineData("*", "move", "play", false, "g1", true)]
    [InlineData("move:*:*", "move", "play", false, "g1", true)]
    [InlineData("*:*:g1", "move", "play", false, "g1", true)]
    [InlineData("*:*:g1", "move", "play", false, "g2", false)]
    public void AScopeAllowsExactlyTheActionsAndContextScopesItNames(string scope, string model, string action, bool readOnly, string? contextScope, bool allowed)
    {
        Scopes(scope).Allows(model, action, readOnly, contextScope).ShouldBe(allowed);
    }

    [Fact]
    public void AScopeLimitedToOneContextScopeStillAllowsTheActionSomewhere()
    {
        var scopes = Scopes("notes:*:work");

        scopes.AllowsSomewhere("notes", "add", false).ShouldBeTrue();
        scopes.AllowsSomewhere("chat", "send", false).ShouldBeFalse();
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("chat:send:lobby:extra")]
    [InlineData("chat:se nd")]
    [InlineData("chat::lobby")]
    [InlineData("")]
    public void AMalformedScopeIsRefusedWithAMessageShowingTheForm(string scope)
    {
        var errors = new List<string>();

        ScopeSet.Parse([scope], errors);

        errors.ShouldHaveSingleItem().ShouldContain($"'{scope}' is not a scope");
    }

    [Fact]
    public void ActingAsSomeoneElseNeedsActAsOrEverything()
    {
        Scopes("chat:*").ActAs.ShouldBeFalse();
        Scopes("chat:send", "act-as").ActAs.ShouldBeTrue();
        Scopes("*").ActAs.ShouldBeTrue();
    }

    [Fact]
    public void TokenScopesThatAreNotMcpApiScopesAreSkipped()
    {
        var scopes = ScopeSet.FromToken(["openid profile chat:send", "notes:read"]);

        scopes.Texts.ShouldBe(["chat:send", "notes:read"]);
        scopes.Allows("chat", "send", false, "lobby").ShouldBeTrue();
    }

    [Fact]
    public void AKeyIsStoredAsItsSha256InHex()
    {
        ApiKeys.HashHex("abc").ShouldBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    [Fact]
    public void NewKeysAreRandomAndUrlSafe()
    {
        var first = ApiKeys.NewKey();
        var second = ApiKeys.NewKey();

        first.ShouldNotBe(second);
        first.ShouldStartWith("mcpk_");
        first.Length.ShouldBeGreaterThan(40);
        first.ShouldMatch("^[A-Za-z0-9_-]+$");
    }
}
