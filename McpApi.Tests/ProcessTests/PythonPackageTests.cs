using System.Text.RegularExpressions;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// The Python client installs the way Python users expect — <c>pip install ./clients/python</c> — with Debian's
/// python3, pip, setuptools and python3-requests and no PyPI, and the README's example then runs as written.
/// </summary>
public sealed partial class PythonPackageTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string _scratch = Directory.CreateTempSubdirectory("mcpapi-python-").FullName;

    private string Venv => Path.Combine(_scratch, "venv");

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task PipInstallsTheClientAndTheReadmeExampleAndTheCommandWorkFromAnyFolder()
    {
        // A virtual environment that sees Debian's packages (requests, setuptools, pip); --no-index: no PyPI.
        (await RunAsync(Python, ["-m", "venv", "--system-site-packages", "--without-pip", Venv])).ExitCode.ShouldBe(0);
        var python = Path.Combine(Venv, "bin", "python");
        // A copy of clients/python, so the build's own folders (build/, *.egg-info) stay out of the repository.
        var copy = Path.Combine(_scratch, "clients", "python");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(Path.Combine(ExternalProcess.RepoRoot, "clients", "python")))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var install = await RunAsync(python, ["-m", "pip", "install", "--no-build-isolation", "--no-index", "./clients/python"], _scratch);
        install.ExitCode.ShouldBe(0, install.ToString());

        await using var server = await ServerProcess.StartAsync();
        var url = server.BaseAddress.ToString().TrimEnd('/');

        // The README's example, exactly as written, but for the server's address; run outside the repository.
        var example = ReadmePythonExample().Replace("http://localhost:5000", url);
        var script = Path.Combine(_scratch, "example.py");
        await File.WriteAllTextAsync(script, example);
        var run = await RunAsync(python, [script], _scratch);
        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain("hi");
        run.Output.ShouldContain("404 unknown_model");

        var command = await RunAsync(Path.Combine(Venv, "bin", "mcp-client"), ["--url", url, "echo", "--context", "user", "--data", "\"from the command\""], _scratch);
        command.ExitCode.ShouldBe(0, command.ToString());
        command.Output.ShouldContain("from the command");

        var tcp = await RunAsync(Path.Combine(Venv, "bin", "mcp-tcp-client"), ["--port", server.TcpPort.ToString(), "send", """{"model":"echo","data":"over tcp"}"""], _scratch);
        tcp.ExitCode.ShouldBe(0, tcp.ToString());
        tcp.Output.ShouldContain("over tcp");
    }

    private static string ReadmePythonExample()
    {
        var readme = File.ReadAllText(Path.Combine(ExternalProcess.RepoRoot, "README.md"));
        return PythonBlocks().Matches(readme).Select(m => m.Groups["code"].Value)
            .Single(code => code.Contains("from mcp_client import", StringComparison.Ordinal));
    }

    private static Task<ExternalProcess.Result> RunAsync(string file, string[] arguments, string? workingDirectory = null) =>
        ExternalProcess.RunAsync(file, arguments, TimeSpan.FromMinutes(2), workingDirectory: workingDirectory);

    [GeneratedRegex("```python\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PythonBlocks();
}
