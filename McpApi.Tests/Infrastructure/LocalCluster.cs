namespace McpApi.Tests.Infrastructure;

/// <summary>
/// deploy/local-cluster.sh for a test class: three replicas of the server under test (<see cref="ServerProcess.ServerDll"/>)
/// on PostgreSQL with the Redis backplane, behind nginx, in a throwaway folder; stopped (by process id) at the end.
/// </summary>
public class LocalCluster : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mcpapi-cluster-{Guid.NewGuid():N}");
    private readonly string _replicaArguments;
    private readonly string _backplane;
    private Dictionary<string, string> _environment = [];

    public LocalCluster()
        : this("")
    {
    }

    /// <param name="replicaArguments">More settings for every replica (MCPAPI_REPLICA_ARGS), e.g. <c>--Mcp:SessionMode=Stateless</c>.
    /// Every replica also serves <c>/metrics</c>, so a test can see which replica the balancer sent requests to.</param>
    /// <param name="backplane">MCPAPI_BACKPLANE: Redis (the default) or PostgreSql.</param>
    protected LocalCluster(string replicaArguments, string backplane = "Redis")
    {
        _replicaArguments = $"--McpApi:Telemetry:Prometheus=true {replicaArguments}".Trim();
        _backplane = backplane;
    }

    public Uri Url { get; private set; } = null!;

    public int TcpPort { get; private set; }

    public IReadOnlyList<Uri> Replicas { get; private set; } = [];

    /// <summary>redis-server, then the replicas in order, then nginx.</summary>
    public IReadOnlyList<int> Pids { get; private set; } = [];

    /// <summary>The cluster's PostgreSQL database, to read back what the replicas stored.</summary>
    public string PostgreSqlConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _environment = new() { ["MCPAPI_CLUSTER_DIR"] = _directory, ["MCPAPI_SERVER_DLL"] = ServerProcess.ServerDll, ["MCPAPI_REPLICA_ARGS"] = _replicaArguments, ["MCPAPI_BACKPLANE"] = _backplane };
        var lines = await RunAsync(["start"], TimeSpan.FromMinutes(4));
        Url = new Uri(lines["URL"]);
        TcpPort = int.Parse(lines["TCP"].Split(':')[1]);
        Replicas = [.. lines["REPLICAS"].Split(' ').Select(u => new Uri(u))];
        Pids = [.. lines["PIDS"].Split(' ').Select(int.Parse)];
        PostgreSqlConnectionString = lines["PG"];
    }

    /// <summary><c>local-cluster.sh restart-replica</c>: replica <paramref name="number"/> (1-based) again on its ports, ready.</summary>
    public async Task RestartReplicaAsync(int number)
    {
        var lines = await RunAsync(["restart-replica", number.ToString()], TimeSpan.FromMinutes(2));
        Pids = [.. Pids.Select((pid, i) => i == number ? int.Parse(lines["PID"]) : pid)];
    }

    /// <summary>
    /// <c>local-cluster.sh restart-backplane</c>: redis-server stopped, down for <paramref name="seconds"/>, started again
    /// (PostgreSql backplane: the replicas' LISTEN/NOTIFY connections ended, <paramref name="seconds"/> waited).
    /// </summary>
    public async Task RestartBackplaneAsync(int seconds)
    {
        var lines = await RunAsync(["restart-backplane", seconds.ToString()], TimeSpan.FromMinutes(1));
        if (lines.TryGetValue("PID", out var pid))
            Pids = [.. Pids.Select((p, i) => i == 0 ? int.Parse(pid) : p)];
    }

    public async Task DisposeAsync() =>
        await ExternalProcess.RunAsync("bash", ["deploy/local-cluster.sh", "stop"], TimeSpan.FromMinutes(1), _environment);

    private async Task<Dictionary<string, string>> RunAsync(string[] arguments, TimeSpan timeout)
    {
        var run = await ExternalProcess.RunAsync("bash", ["deploy/local-cluster.sh", .. arguments], timeout, _environment);
        run.ExitCode.ShouldBe(0, run.ToString());
        return run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
    }
}

/// <summary>The same cluster with every replica in <c>Mcp:SessionMode=Stateless</c>.</summary>
public sealed class StatelessLocalCluster() : LocalCluster("--Mcp:SessionMode=Stateless");

/// <summary>The same cluster with the PostgreSQL LISTEN/NOTIFY backplane instead of Redis.</summary>
public sealed class PostgreSqlBackplaneLocalCluster() : LocalCluster("", "PostgreSql");
