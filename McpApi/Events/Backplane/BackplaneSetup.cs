using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Events.Backplane;

public static class BackplaneSetup
{
    /// <summary>
    /// The event hub: in-process by default; with <c>Events:Backplane</c> = <c>PostgreSql</c> or <c>Redis</c>, a
    /// <see cref="BackplaneEventHub"/> and the <see cref="BackplaneRelay"/> that links it to the other replicas.
    /// </summary>
    public static IServiceCollection AddEventHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventBackplaneOptions>()
            .BindConfiguration(EventBackplaneOptions.Section)
            .Configure<IConfiguration>((options, config) =>
                options.ConnectionString = (options.Is(EventBackplaneOptions.Redis) ? config.GetConnectionString("Redis") : config.GetConnectionString("McpApi")) ?? "")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventBackplaneOptions>, EventBackplaneOptionsValidator>());
        var backplane = configuration.GetSection(EventBackplaneOptions.Section)[nameof(EventBackplaneOptions.Backplane)];
        var options = new EventBackplaneOptions { Backplane = backplane ?? EventBackplaneOptions.InProcess };
        if (options.Is(EventBackplaneOptions.PostgreSql) || options.Is(EventBackplaneOptions.Redis))
        {
            services.TryAddSingleton(sp => new BackplaneEventHub(sp.GetRequiredService<IOptions<EventBackplaneOptions>>().Value.SendQueueCapacity));
            services.TryAddSingleton<IEventHub>(sp => sp.GetRequiredService<BackplaneEventHub>());
            services.TryAddSingleton<IBackplaneTransport>(sp =>
            {
                var settings = sp.GetRequiredService<IOptions<EventBackplaneOptions>>().Value;
                return settings.Is(EventBackplaneOptions.Redis)
                    ? new RedisBackplane(settings.ConnectionString, settings.Channel, sp.GetRequiredService<ILogger<RedisBackplane>>())
                    : new PostgreSqlBackplane(settings.ConnectionString, settings.Channel, sp.GetRequiredService<ILogger<PostgreSqlBackplane>>());
            });
            services.AddHostedService<BackplaneRelay>();
        }
        else
        {
            services.TryAddSingleton<IEventHub, InProcessEventHub>();
        }
        services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<IEventHub>());
        return services;
    }
}
