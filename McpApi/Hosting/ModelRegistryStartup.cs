using McpApi.Dispatching;

namespace McpApi.Hosting;

/// <summary>
/// Builds the model registry (and so every action's generated schemas) when the host starts: a broken contract stops
/// start-up with its message, and the first request does not pay for the schema generation.
/// </summary>
internal sealed class ModelRegistryStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<ModelRegistry>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
