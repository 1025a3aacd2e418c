namespace McpApi.Tests.Infrastructure;

/// <summary>
/// deploy/local-cluster.sh for a test class: three replicas of the server under test (<see cref="ServerProcess.ServerDll"/>)
/// on PostgreSQL with the Redis backplane, behind nginx round robin, in a throwaway folder; stopped (by process id) at the end.
/// </summary>
public sealed class LocalCluster : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mcpapi-cluster-{Guid.NewGuid():N}");
    private Dictionary<string, string> _environment = [];

    public Uri Url { get; private set; } = null!;

    public int TcpPort { get; private set; }

    public IReadOnlyList<Uri> Replicas { get; private set; } = [];

    public IReadOnlyList<int> Pids { get; private set; } = [];

    public async Task InitializeAsync()
    {
        _environment = new() { ["MCPAPI_CLUSTER_DIR"] = _directory, ["MCPAPI_SERVER_DLL"] = ServerProcess.ServerDll };
        var started = await ExternalProcess.RunAsync("bash", ["deploy/local-cluster.sh", "start"], TimeSpan.FromMinutes(4), _environment);
        started.ExitCode.ShouldBe(0, started.ToString());
        var lines = started.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        Url = new Uri(lines["URL"]);
        TcpPort = int.Parse(lines["TCP"].Split(':')[1]);
        Replicas = [.. lines["REPLICAS"].Split(' ').Select(u => new Uri(u))];
        Pids = [.. lines["PIDS"].Split(' ').Select(int.Parse)];
    }

    public async Task DisposeAsync() =>
        await ExternalProcess.RunAsync("bash", ["deploy/local-cluster.sh", "stop"], TimeSpan.FromMinutes(1), _environment);
}
