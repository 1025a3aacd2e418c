using McpApi.Doors.Mcp;

namespace McpApi.Tests.Mcp;

/// <summary>The Origin rules on their own (DNS-rebinding protection): loopback by default, or the configured list.</summary>
public sealed class OriginPolicyTests
{
    [Theory]
    [InlineData("http://localhost:3000", true)]
    [InlineData("https://127.0.0.1", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://127.0.0.2", true)]
    [InlineData("http://evil.example", false)]
    [InlineData("http://localhost.evil.example", false)]
    [InlineData("null", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("http://localhost/path", false)]
    public void WithoutAllowedOriginsOnlyLoopbackIsAllowed(string origin, bool allowed) =>
        OriginPolicy.IsAllowed(origin, []).ShouldBe(allowed);

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://app.example.com:8443", true)]
    [InlineData("http://app.example.com", false)]
    [InlineData("https://other.example.com", false)]
    [InlineData("http://localhost:3000", false)]
    [InlineData("http://tools.example.com:9000", true)]
    [InlineData("http://tools.example.com:9001", false)]
    public void ConfiguredOriginsReplaceTheLoopbackDefaultAndAPortIsMatchedOnlyWhenGiven(string origin, bool allowed) =>
        OriginPolicy.IsAllowed(origin, ["https://app.example.com", "http://tools.example.com:9000"]).ShouldBe(allowed);

    [Fact]
    public void AStarAllowsEveryWellFormedOrigin()
    {
        OriginPolicy.IsAllowed("https://anything.example", ["*"]).ShouldBeTrue();
        OriginPolicy.IsAllowed("not an origin", ["*"]).ShouldBeFalse();
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("http://[::1]:5000/", true)]
    [InlineData("app.example.com", false)]
    [InlineData("ftp://app.example.com", false)]
    [InlineData("https://app.example.com/path", false)]
    public void OriginsAreSchemeHostAndPortOnly(string value, bool valid) =>
        OriginPolicy.TryParseOrigin(value, out _).ShouldBe(valid);
}
