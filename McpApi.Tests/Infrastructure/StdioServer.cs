using System.Diagnostics;
using System.Text.Json;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// The server started as an MCP client starts it for stdio (<c>dotnet McpApi.dll --stdio</c>): JSON-RPC lines on
/// stdin and stdout, logs on stderr.
/// </summary>
internal sealed class StdioServer : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly System.Text.StringBuilder _stderrSoFar = new();

    private StdioServer(Process process)
    {
        _process = process;
        _stderr = ReadStderrAsync();
    }

    /// <summary>Drains stderr (so the child never blocks on a full pipe), keeping the last 64 KiB for failure messages.</summary>
    private async Task<string> ReadStderrAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardError.ReadAsync(buffer)) > 0)
        {
            lock (_stderrSoFar)
            {
                _stderrSoFar.Append(buffer, 0, read);
                if (_stderrSoFar.Length > 65536)
                    _stderrSoFar.Remove(0, _stderrSoFar.Length - 65536);
            }
        }
        return StderrSoFar();
    }

    /// <summary>The last 64 KiB the server wrote to stderr so far.</summary>
    public string StderrSoFar()
    {
        lock (_stderrSoFar)
            return _stderrSoFar.ToString();
    }

    public static StdioServer Start(string command, IEnumerable<string> arguments, IDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(ServerProcess.ServerDll)!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        return new StdioServer(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}."));
    }

    public Task SendAsync(string message) => _process.StandardInput.WriteLineAsync(message);

    /// <summary>Writes <paramref name="line"/> as it is (bytes that are not UTF-8 included), then a line feed.</summary>
    public async Task SendAsync(byte[] line)
    {
        var stdin = _process.StandardInput.BaseStream;
        await stdin.WriteAsync(line);
        stdin.WriteByte((byte)'\n');
        await stdin.FlushAsync();
    }

    /// <summary>The next stdout line, or null when stdout ended; throws after <paramref name="timeout"/>.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _process.StandardOutput.ReadLineAsync(cts.Token);
    }

    /// <summary>Reads one stdout line; every line must be a JSON-RPC message.</summary>
    public async Task<JsonElement> ReadMessageAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _process.StandardOutput.ReadLineAsync(cts.Token)
            ?? throw new ShouldAssertException($"stdout closed early. stderr:\n{await StderrAfterExitAsync()}");
        var message = JsonDocument.Parse(line).RootElement.Clone();
        message.GetProperty("jsonrpc").GetString().ShouldBe("2.0");
        return message;
    }

    /// <summary><c>initialize</c>, <c>notifications/initialized</c>, <c>tools/list</c>, then one <c>tools/call</c> of echo_echo.</summary>
    public async Task<(JsonElement Initialize, JsonElement ToolsList, JsonElement Call)> HandshakeAndEchoAsync(string text)
    {
        await SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""");
        var initialize = await ReadMessageAsync();
        await SendAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await SendAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        var list = await ReadMessageAsync();
        await SendAsync(JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0", id = 3, method = "tools/call",
            @params = new { name = "echo_echo", arguments = new { context = "ana", data = text } },
        }));
        var call = await ReadMessageAsync();
        return (initialize, list, call);
    }

    /// <summary>Closes stdin (the client going away) and waits for the server to exit; returns what is left on stdout.</summary>
    public async Task<string> CloseAsync()
    {
        _process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(cts.Token);
        return await _process.StandardOutput.ReadToEndAsync();
    }

    public Task<string> StderrAfterExitAsync() => _stderr.WaitAsync(TimeSpan.FromSeconds(20));

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
