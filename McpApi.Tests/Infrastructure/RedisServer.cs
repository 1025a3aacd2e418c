using System.Diagnostics;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// A redis-server of the test's own (Debian <c>redis-server</c>, scripts/setup.d/50-cluster.sh) on a free loopback port,
/// nothing saved to disk; stopped by its process id, and restartable on the same port (a backplane restart).
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private Process? _process;

    public RedisServer()
    {
        Port = ServerProcess.FreePort();
        Start();
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public void Start()
    {
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
            start.ArgumentList.Add(argument);
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run `bash scripts/setup.d/50-cluster.sh` (Debian redis-server).", ex);
        }
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                client.Connect("127.0.0.1", Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException($"redis-server did not listen on port {Port} within 20 s.");
    }

    /// <summary>Kills the server (SIGKILL, by its process id): every client connection drops at once.</summary>
    public void Stop()
    {
        if (_process is null)
            return;
        try { _process.Kill(); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();
}
