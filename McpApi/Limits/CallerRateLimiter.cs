using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using McpApi.Dispatching;
using McpApi.Doors.Limits;
using Microsoft.Extensions.Options;

namespace McpApi.Limits;

/// <summary>
/// The one place that decides whether a caller is within its <see cref="RateLimitOptions"/> budgets. A caller is its
/// authenticated identity, else its client IP address (<see cref="PartitionOf(CallContext)"/>). The request budget is shared by the
/// HTTP pipeline (ASP.NET Core's rate limiter, through <see cref="ForHttp"/>) and the WebSocket and TCP doors' envelopes
/// (<see cref="Admit"/>); the write budget is charged by the dispatcher for every action not annotated read-only,
/// whatever the door.
/// </summary>
public sealed class CallerRateLimiter : IDisposable
{
    /// <summary>The partition of callers that are not limited (loopback while <see cref="RateLimitOptions.ExemptLoopback"/>).</summary>
    public const string Unlimited = "";

    /// <summary>Doors whose envelopes arrive as messages on one connection, not as HTTP requests the pipeline already counted.</summary>
    private static readonly HashSet<string> MessageDoors = ["ws", "tcp"];

    private readonly RateLimitOptions _settings;
    private readonly PartitionedRateLimiter<string> _requests;
    private readonly PartitionedRateLimiter<string> _writes;

    public CallerRateLimiter(IOptions<RateLimitOptions> options)
    {
        _settings = options.Value;
        _requests = Create(_settings.RequestsPerSecond, _settings.RequestBurst);
        _writes = Create(_settings.WritesPerSecond, _settings.WriteBurst);
    }

    public RateLimitOptions Settings => _settings;

    /// <summary>
    /// <c>user:&lt;name&gt;</c> for an authenticated caller, <c>ip:&lt;address&gt;</c> for an anonymous one, or
    /// <see cref="Unlimited"/> for a caller on this machine (loopback or no address) while loopback is exempt.
    /// </summary>
    public string PartitionOf(string? identity, IPAddress? address)
    {
        if (_settings.ExemptLoopback && IsLocal(address))
            return Unlimited;
        return identity is { Length: > 0 } ? "user:" + identity : "ip:" + ConnectionLimits.ClientOf(address);
    }

    /// <summary>The partition of an HTTP request's caller (its name when authenticated).</summary>
    public string PartitionOf(HttpContext http) => PartitionOf(Auth.CallerClaimsIdentity.Of(http)?.Name, http.Connection.RemoteIpAddress);

    /// <summary>
    /// Whether the request budget can refuse this HTTP request: false for <c>/health</c>, for callers that are not
    /// limited (loopback while it is exempt) and when the budget is off. Such requests skip the rate limiter altogether.
    /// </summary>
    public bool MayLimit(HttpContext http) =>
        _settings.RequestsPerSecond > 0
        && !(_settings.ExemptLoopback && IsLocal(http.Connection.RemoteIpAddress))
        && !http.Request.Path.StartsWithSegments("/health");

    /// <summary>The partition of a call: the one place that reads who the caller is from the <see cref="CallContext"/>.</summary>
    public string PartitionOf(CallContext caller) => PartitionOf(caller.Identity?.Name, caller.ClientAddress);

    /// <summary>
    /// The request budget as ASP.NET Core's global limiter: every HTTP request but <c>/health</c> counts once. Callers
    /// that are not limited pass without touching the partitions (no lookup, no lock), so a laptop pays nothing for it.
    /// </summary>
    public PartitionedRateLimiter<HttpContext> ForHttp() => new HttpRequestBudget(this);

    private sealed class HttpRequestBudget(CallerRateLimiter owner) : PartitionedRateLimiter<HttpContext>
    {
        private string PartitionOf(HttpContext http) =>
            http.Request.Path.StartsWithSegments("/health") ? Unlimited : owner.PartitionOf(http);

        public override RateLimiterStatistics? GetStatistics(HttpContext resource) => owner._requests.GetStatistics(PartitionOf(resource));

        protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
            PartitionOf(resource) is { Length: > 0 } partition ? owner._requests.AttemptAcquire(partition, permitCount) : Granted.Lease;

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
            PartitionOf(resource) is { Length: > 0 } partition
                ? owner._requests.AcquireAsync(partition, permitCount, cancellationToken)
                : ValueTask.FromResult<RateLimitLease>(Granted.Lease);
    }

    /// <summary>The lease of a caller that is not limited.</summary>
    private sealed class Granted : RateLimitLease
    {
        public static readonly Granted Lease = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    /// <summary>
    /// Charges one call of <paramref name="action"/>: a WebSocket or TCP envelope against the request budget, a write
    /// against the write budget. Throws the 429 <c>rate_limited</c> error when a budget is spent.
    /// </summary>
    public void Admit(CallContext caller, RegisteredAction action)
    {
        var countsRequest = MessageDoors.Contains(caller.Door);
        var isWrite = !action.Action.ReadOnly;
        if (!countsRequest && !isWrite)
            return;
        var partition = PartitionOf(caller);
        if (partition == Unlimited)
            return;
        if (countsRequest && Refused(_requests, partition) is { } requestWait)
            throw TooManyRequests(partition, requestWait);
        if (isWrite && Refused(_writes, partition) is { } writeWait)
            throw TooManyWrites(partition, action, writeWait);
    }

    /// <summary>The 429 an HTTP request over the request budget gets (also written by the rate limiter's rejection).</summary>
    public RequestError TooManyRequests(string partition, TimeSpan wait)
    {
        var seconds = RetryAfterSeconds(wait);
        return Limited(seconds,
            $"Too many requests: {Describe(partition)} may make {_settings.RequestsPerSecond} per second (bursts of {_settings.RequestBurst}; " +
            $"setting {RateLimitOptions.Section}:{nameof(RateLimitOptions.RequestsPerSecond)}). Wait {seconds} s and send again.");
    }

    private RequestError TooManyWrites(string partition, RegisteredAction action, TimeSpan wait)
    {
        var seconds = RetryAfterSeconds(wait);
        return Limited(seconds,
            $"Too many writes: {Describe(partition)} may make {_settings.WritesPerSecond} writes per second (bursts of {_settings.WriteBurst}; " +
            $"setting {RateLimitOptions.Section}:{nameof(RateLimitOptions.WritesPerSecond)}), and {action.Model} {action.Name} is a write. Wait {seconds} s and send again.");
    }

    /// <summary>The <c>data.retryAfterSeconds</c> of a 429, also sent as the <c>Retry-After</c> header on HTTP.</summary>
    public const string RetryAfterKey = "retryAfterSeconds";

    public static RequestError Limited(int retryAfterSeconds, string message) =>
        new(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, message)
        {
            Extra = new() { [RetryAfterKey] = retryAfterSeconds },
        };

    /// <summary>Whole seconds to wait, at least 1 (what <c>Retry-After</c> can say).</summary>
    public static int RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(Math.Min(wait.TotalSeconds, int.MaxValue)));

    private static TimeSpan? Refused(PartitionedRateLimiter<string> limiter, string partition)
    {
        using var lease = limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    private static string Describe(string partition) =>
        partition.StartsWith("user:", StringComparison.Ordinal) ? $"identity '{partition[5..]}'" : $"client {partition[3..]}";

    private static bool IsLocal(IPAddress? address) =>
        address is null || IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static PartitionedRateLimiter<string> Create(int perSecond, int burst) =>
        PartitionedRateLimiter.Create<string, string>(partition => partition == Unlimited || perSecond == 0
            ? RateLimitPartition.GetNoLimiter(partition)
            : RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    public void Dispose()
    {
        _requests.Dispose();
        _writes.Dispose();
    }

    internal static string Format(int seconds) => seconds.ToString(CultureInfo.InvariantCulture);
}
