using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Limits;

/// <summary>
/// Per-caller rate limits (<see cref="RateLimitOptions"/>): ASP.NET Core's rate limiter on every HTTP request, the
/// dispatcher's write budget on every door (<see cref="CallerRateLimiter"/>), and the block on clients that keep
/// failing to authenticate (<see cref="AuthFailureLimiter"/>).
/// </summary>
public static class RateLimitSetup
{
    public static WebApplicationBuilder AddCallerRateLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>());
        services.TryAddSingleton<CallerRateLimiter>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuthFailureLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<CallerRateLimiter>((options, limiter) =>
        {
            options.GlobalLimiter = limiter.ForHttp();
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                var partition = limiter.PartitionOf(http);
                var seconds = CallerRateLimiter.RetryAfterSeconds(wait);
                return new ValueTask(LimitRefusals.WriteAsync(http, limiter.TooManyRequests(partition, wait), seconds));
            };
        });
        return builder;
    }

    /// <summary>
    /// The block on clients that failed to authenticate too often, then the request budget. Put them after
    /// authentication (<c>UseAuthentication</c>): the request budget is per identity only once the identity is known.
    /// Requests the budget cannot refuse (<see cref="CallerRateLimiter.MayLimit"/>: loopback by default) skip the rate
    /// limiter, so a laptop pays nothing for it.
    /// </summary>
    public static WebApplication UseCallerRateLimits(this WebApplication app)
    {
        app.UseMiddleware<AuthFailureGate>();
        var limiter = app.Services.GetRequiredService<CallerRateLimiter>();
        app.UseWhen(limiter.MayLimit, limited => limited.UseRateLimiter());
        return app;
    }
}
