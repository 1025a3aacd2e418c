using System.Net;
using McpApi.Dispatching;
using McpApi.Limits;
using Microsoft.Extensions.Options;

namespace McpApi.Tests.Limits;

/// <summary>Unit tests of who a budget belongs to (<see cref="CallerRateLimiter.PartitionOf(CallContext)"/>).</summary>
public sealed class CallerPartitionTests
{
    private static CallerRateLimiter Limiter(bool exemptLoopback) =>
        new(Options.Create(new RateLimitOptions { ExemptLoopback = exemptLoopback }));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData(null)]
    public void CallersOnThisMachineAreUnlimitedWhileLoopbackIsExemptWhoeverTheyAre(string? address)
    {
        using var limiter = Limiter(exemptLoopback: true);
        var ip = address is null ? null : IPAddress.Parse(address);

        limiter.PartitionOf("ana", ip).ShouldBe(CallerRateLimiter.Unlimited);
        limiter.PartitionOf(new CallContext("stdio", "t") { ClientAddress = ip }).ShouldBe(CallerRateLimiter.Unlimited);
    }

    [Fact]
    public void AnAuthenticatedCallerIsItsIdentityAndAnAnonymousOneItsAddress()
    {
        using var limiter = Limiter(exemptLoopback: true);
        var address = IPAddress.Parse("::ffff:203.0.113.5");

        limiter.PartitionOf("ana", address).ShouldBe("user:ana");
        limiter.PartitionOf((string?)null, address).ShouldBe("ip:203.0.113.5");
        limiter.PartitionOf(new CallContext("ws", "t") { ClientAddress = address }).ShouldBe("ip:203.0.113.5");
    }

    [Fact]
    public void WithoutTheExemptionLoopbackCallersAreLimitedByAddressOrAsLocal()
    {
        using var limiter = Limiter(exemptLoopback: false);

        limiter.PartitionOf((string?)null, IPAddress.Loopback).ShouldBe("ip:127.0.0.1");
        limiter.PartitionOf(new CallContext("stdio", "t")).ShouldBe("ip:local");
        limiter.PartitionOf("ana", IPAddress.Loopback).ShouldBe("user:ana");
    }
}
