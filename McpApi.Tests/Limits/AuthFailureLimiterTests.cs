using System.Net;
using McpApi.Limits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace McpApi.Tests.Limits;

/// <summary>Unit tests of <see cref="AuthFailureLimiter"/> on a clock the test moves.</summary>
public sealed class AuthFailureLimiterTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.9");

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    /// <summary>Keeps every rendered log line.</summary>
    private sealed class Lines : ILogger<AuthFailureLimiter>
    {
        public List<(LogLevel Level, string Text)> Logged { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Logged.Add((logLevel, formatter(state, exception)));
    }

    private static AuthFailureLimiter Limiter(ManualClock clock, ILogger<AuthFailureLimiter>? logger = null, int failures = 3, int windowSeconds = 60) =>
        new(Options.Create(new RateLimitOptions { AuthFailuresPerWindow = failures, AuthFailureWindowSeconds = windowSeconds }),
            clock, logger ?? NullLogger<AuthFailureLimiter>.Instance);

    [Fact]
    public void AnAddressIsBlockedAtTheConfiguredFailuresUntilItsWindowEnds()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock);

        limiter.RecordFailure(Client, "http", "unknown API key").ShouldBeFalse();
        clock.Advance(TimeSpan.FromSeconds(10));
        limiter.RecordFailure(Client, "http", "unknown API key").ShouldBeFalse();
        limiter.IsBlocked(Client).ShouldBeFalse();
        limiter.RecordFailure(Client, "http", "unknown API key").ShouldBeTrue();

        limiter.IsBlocked(Client, out var retryAfter).ShouldBeTrue();
        retryAfter.ShouldBe(TimeSpan.FromSeconds(50));
        clock.Advance(TimeSpan.FromSeconds(49));
        limiter.IsBlocked(Client).ShouldBeTrue();
        clock.Advance(TimeSpan.FromSeconds(1));
        limiter.IsBlocked(Client).ShouldBeFalse();
        limiter.RecordFailure(Client, "http", "unknown API key").ShouldBeFalse("a new window starts");
    }

    [Fact]
    public void FailuresSpreadOverWindowsNeverBlock()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock);

        for (var i = 0; i < 10; i++)
        {
            limiter.RecordFailure(Client, "tcp", "bad key").ShouldBeFalse();
            clock.Advance(TimeSpan.FromSeconds(30));
        }
        limiter.IsBlocked(Client).ShouldBeFalse();
    }

    [Fact]
    public void OtherAddressesAreNotBlockedAndIPv4MappedAddressesCountAsTheirIPv4()
    {
        var limiter = Limiter(new ManualClock(), failures: 2);
        limiter.RecordFailure(Client, "http", "bad key");
        limiter.RecordFailure(Client.MapToIPv6(), "ws", "bad key");

        limiter.IsBlocked(Client).ShouldBeTrue();
        limiter.IsBlocked(IPAddress.Parse("203.0.113.10")).ShouldBeFalse();
        limiter.IsBlocked(null).ShouldBeFalse();
    }

    [Fact]
    public void ZeroTurnsTheLimitOffButFailuresAreStillLogged()
    {
        var lines = new Lines();
        var limiter = Limiter(new ManualClock(), lines, failures: 0);
        for (var i = 0; i < 100; i++)
            limiter.RecordFailure(Client, "http", "bad key").ShouldBeFalse();

        limiter.IsBlocked(Client).ShouldBeFalse();
        lines.Logged.Count.ShouldBe(100);
    }

    [Fact]
    public void EachFailureIsAWarningWithTheAddressDoorReasonAndIdentityAndTheBlockIsAnnounced()
    {
        var lines = new Lines();
        var limiter = Limiter(new ManualClock(), lines, failures: 2);

        limiter.RecordFailure(Client, "ws", "token expired", identity: "ana");
        limiter.RecordFailure(Client, "ws", "token expired", identity: "ana");

        lines.Logged.ShouldAllBe(line => line.Level == LogLevel.Warning);
        lines.Logged[0].Text.ShouldBe("Authentication failed from 203.0.113.9 on door ws: token expired (identity ana)");
        lines.Logged[^1].Text.ShouldBe("Blocking credentials from 203.0.113.9: 2 failed authentications within 60 s");
    }

    [Fact]
    public void TheRefusalIs429RateLimitedNamingTheSettingAndTheWait()
    {
        var error = Limiter(new ManualClock()).Blocked(Client, TimeSpan.FromSeconds(12.2));

        error.StatusCode.ShouldBe(429);
        error.Code.ShouldBe("rate_limited");
        error.Message.ShouldContain("RateLimits:AuthFailuresPerWindow");
        error.Message.ShouldContain("in 13 s");
        error.Extra!["retryAfterSeconds"].ShouldBe(13);
    }
}
