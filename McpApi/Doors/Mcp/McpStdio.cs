using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace McpApi.Doors.Mcp;

/// <summary>
/// <c>dotnet McpApi.dll --stdio</c>: the same host, models and storage, serving MCP over stdin/stdout.
/// Nothing listens on the network, and every log line goes to stderr so stdout carries only JSON-RPC.
/// </summary>
public static class McpStdio
{
    public const string Switch = "--stdio";

    /// <summary>Turns the <c>--stdio</c> switch into the <c>Mcp:Stdio=true</c> setting.</summary>
    public static string[] TranslateArguments(string[] args) =>
        args.Contains(Switch, StringComparer.OrdinalIgnoreCase)
            ? [.. args.Where(a => !a.Equals(Switch, StringComparison.OrdinalIgnoreCase)), "--Mcp:Stdio=true"]
            : args;

    internal static void Configure(WebApplicationBuilder builder)
    {
        // The SDK writes JSON-RPC to the raw stdout stream. Every console log sink switches to stderr, and anything
        // else written through Console.Out goes there too.
        var sinks = builder.Configuration.GetSection("Serilog:WriteTo").GetChildren()
            .Where(sink => sink["Name"] == "BatchedConsole")
            .Select(sink => KeyValuePair.Create<string, string?>($"{sink.Path}:Args:standardError", "true"));
        builder.Configuration.AddInMemoryCollection(sinks);
        Console.SetOut(Console.Error);
        builder.WebHost.UseServer(new NoNetworkServer());
    }

    /// <summary>An <see cref="IServer"/> that accepts no connections: in stdio mode the process talks only over its pipes.</summary>
    private sealed class NoNetworkServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull =>
            Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
