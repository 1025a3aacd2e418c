using System.Diagnostics;
using Npgsql;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for the test run: <c>initdb</c> into a temporary folder and <c>pg_ctl start</c> on a
/// free loopback port (its socket in that folder too), started on first use and stopped by its postmaster's process id
/// when the test process exits. Run as root (as CI does), the cluster belongs to the <c>postgres</c> user the Debian
/// package creates (PostgreSQL refuses to run as root), through <c>runuser</c>. Each test asks for a database of its own
/// (<see cref="CreateDatabaseAsync"/>), so tests share the server but never see each other's rows.
/// </summary>
/// <remarks>
/// The cluster runs with <c>fsync=off</c>: its data is thrown away, and the tests are about the semantics McpApi relies on
/// (locks, transactions, <c>synchronous_commit</c>), not about surviving a power cut. Install it with
/// <c>scripts/setup.d/50-cluster.sh</c> (Debian <c>postgresql-15</c>), or point <c>MCPAPI_PG_BIN</c> at another bin folder.
/// </remarks>
internal sealed class PostgreSqlServer
{
    private const string User = "mcpapi";
    private const string Prefix = "mcpapi-pg-";
    private static readonly Lazy<Task<PostgreSqlServer>> Shared = new(StartAsync);

    private readonly string _directory;
    private int _databases;

    private PostgreSqlServer(string directory, int port, int postmasterPid)
    {
        _directory = directory;
        Port = port;
        PostmasterPid = postmasterPid;
    }

    public int Port { get; }

    public int PostmasterPid { get; }

    /// <summary>The run's server, started on first use.</summary>
    public static Task<PostgreSqlServer> InstanceAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={User};Maximum Pool Size=20;Timeout=15;Command Timeout=30";

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        // At most 40 characters (PostgreSQL allows 63); shorter when the process id is short (a freshly booted machine).
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 40)];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public static string BinDirectory =>
        Environment.GetEnvironmentVariable("MCPAPI_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";

    private static bool IsRoot => Environment.UserName == "root";

    private static async Task<PostgreSqlServer> StartAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed ({BinDirectory}/initdb is missing): run `bash scripts/setup.d/50-cluster.sh` (Debian postgresql-15) or set MCPAPI_PG_BIN.");
        RemoveStaleClusters();
        var directory = Directory.CreateTempSubdirectory(Prefix).FullName;
        var data = Path.Combine(directory, "data");
        if (IsRoot)
            await RunAsync("chown", ["postgres:postgres", directory]);
        await RunAsPostgresAsync("initdb", ["-D", data, "-U", User, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        var port = ServerProcess.FreePort();
        var options = $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c full_page_writes=off -c shared_buffers=64MB";
        await RunAsPostgresAsync("pg_ctl", ["-D", data, "-o", options, "-l", Path.Combine(directory, "postgres.log"), "-w", "-t", "60", "start"]);
        var pid = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First().Trim());
        var server = new PostgreSqlServer(directory, port, pid);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    /// <summary>Immediate shutdown of the postmaster (its children follow), by process id, then the folder goes.</summary>
    private void Stop()
    {
        try
        {
            using var postmaster = Process.GetProcessById(PostmasterPid);
            _ = Kill(PostmasterPid, SigQuit);
            postmaster.WaitForExit(10_000);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
        }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Folders of earlier runs whose postmaster is gone (a test process that was killed never ran its exit handler).</summary>
    private static void RemoveStaleClusters()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var pidFile = Path.Combine(folder, "data", "postmaster.pid");
            var alive = File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault()?.Trim(), out var pid) && Kill(pid, 0) == 0;
            if (!alive && Directory.GetLastWriteTimeUtc(folder) < DateTime.UtcNow.AddMinutes(-5))
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private const int SigQuit = 3;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static Task RunAsPostgresAsync(string program, string[] arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, program), .. arguments])
            : RunAsync(Path.Combine(BinDirectory, program), arguments);

    private static async Task RunAsync(string program, string[] arguments)
    {
        // Output goes to files, not pipes: pg_ctl's server inherits its handles and would keep a pipe open for good.
        var log = Path.GetTempFileName();
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >\"$LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["LOG"] = log;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await File.ReadAllTextAsync(log);
        File.Delete(log);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
    }
}
