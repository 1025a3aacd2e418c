using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// The real server as a separate process (<c>dotnet McpApi.dll</c>) on a free loopback port, with its own
/// data folder. For tests that need a real socket, a real client or a real crash (SIGKILL).
/// The server comes from <c>MCPAPI_SERVER_DLL</c> (CI points it at the published output) or the test's own bin folder.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly bool _ownsData;

    private ServerProcess(Process process, int port, int tcpPort, string dataDirectory, bool ownsData)
    {
        _process = process;
        Port = port;
        TcpPort = tcpPort;
        DataDirectory = dataDirectory;
        _ownsData = ownsData;
    }

    public int Port { get; }

    /// <summary>The TCP door's port: a free one unless the settings name <c>McpApi:Tcp:Port</c>.</summary>
    public int TcpPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "mcpapi.db");

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public static string ServerDll =>
        Environment.GetEnvironmentVariable("MCPAPI_SERVER_DLL") is { Length: > 0 } dll ? dll : Path.Combine(AppContext.BaseDirectory, "McpApi.dll");

    /// <summary>
    /// The conformance test host (tests/McpApi.ConformanceServer: McpApi plus the suite's fixtures), from
    /// <c>MCPAPI_CONFORMANCE_SERVER_DLL</c> (CI: its published output) or the test's own bin folder.
    /// </summary>
    public static string ConformanceServerDll =>
        Environment.GetEnvironmentVariable("MCPAPI_CONFORMANCE_SERVER_DLL") is { Length: > 0 } dll
            ? dll
            : Path.Combine(AppContext.BaseDirectory, "McpApi.ConformanceServer.dll");

    /// <summary>Starts the server and waits until <c>/health</c> answers.</summary>
    /// <param name="dataDirectory">Reuse a data folder (e.g. after a kill); a new temporary one when null.</param>
    /// <param name="settings">Configuration overrides passed as <c>--Key=Value</c>.</param>
    /// <param name="port">The HTTP port; a free one when null.</param>
    /// <param name="environment">Environment variables for the server process (e.g. <c>ASPNETCORE_URLS</c>).</param>
    /// <param name="urlsArgument">
    /// Pass <c>--urls=http://127.0.0.1:{port}</c>. Without it the server's HTTP address comes from
    /// <paramref name="settings"/> or <paramref name="environment"/>, which must put it on <paramref name="port"/>.
    /// </param>
    /// <param name="dll">The host to run: <see cref="ServerDll"/> when null, or e.g. <see cref="ConformanceServerDll"/>.</param>
    public static async Task<ServerProcess> StartAsync(string? dataDirectory = null, IDictionary<string, string>? settings = null, int? port = null,
        IDictionary<string, string>? environment = null, bool urlsArgument = true, string? dll = null)
    {
        if (!urlsArgument && port is null)
            throw new ArgumentException("Without the --urls argument, name the port the settings put the server on.", nameof(port));
        var ownsData = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("mcpapi-server-").FullName;
        // A port found free can be taken (e.g. as another connection's ephemeral port) before the server binds it:
        // then start again on fresh ports. McpApi's start-up failure says "the address is already in use" (HTTP) or "the
        // port is already in use" (TCP door); Kestrel's own words are "address already in use".
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(dll ?? ServerDll, dataDirectory, ownsData, settings, port, environment, urlsArgument);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static async Task<ServerProcess> StartOnceAsync(string dll, string dataDirectory, bool ownsData, IDictionary<string, string>? settings, int? port,
        IDictionary<string, string>? environment, bool urlsArgument)
    {
        port ??= FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        if (urlsArgument)
            start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        // Every door on a free port: the TCP door too, unless the test names its port.
        string? tcp = null;
        if (environment?.TryGetValue("McpApi__Tcp__Port", out tcp) != true && !settings.TryGetValue("McpApi:Tcp:Port", out tcp))
            settings["McpApi:Tcp:Port"] = tcp = FreePort().ToString();
        foreach (var (key, value) in settings)
            start.ArgumentList.Add($"--{key}={value}");
        start.Environment["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(dataDirectory, "mcpapi.db")}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        if (!urlsArgument)
        {
            // Only the test's own choice of HTTP address counts, not one the test runner happens to have.
            foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "URLS", "Urls" })
                start.Environment.Remove(inherited);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var server = new ServerProcess(process, port.Value, int.Parse(tcp!), dataDirectory, ownsData);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    /// <summary>Waits until the server's output holds <paramref name="text"/> (logs are written in batches, not at once).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The server never wrote '{text}'. Output:\n{Output}");
            await Task.Delay(50);
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or power cut.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait for a graceful exit.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
            return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The server did not stop within the timeout. Output:\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_ownsData)
        {
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output) _output.AppendLine(line);
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // the process is gone; this drains its output into Output
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} during start-up. Output:\n{Output}");
            }
            try
            {
                if ((await client.GetAsync("/health")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        await DisposeAsync();
        throw new TimeoutException($"The server did not become healthy within {timeout}. Output:\n{Output}");
    }
}
