using System.Diagnostics;

namespace McpApi.Tests.Infrastructure;

/// <summary>Runs an external client (bash, python3, node) to completion with a time bound.</summary>
internal static class ExternalProcess
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <summary>The repository root: <c>MCPAPI_REPO_ROOT</c>, else the folder above the test binaries holding McpApi.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout,
        IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoRoot,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} ran past {timeout}. Output so far:\n{await output}\n{await error}");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    private static string FindRepoRoot()
    {
        if (Environment.GetEnvironmentVariable("MCPAPI_REPO_ROOT") is { Length: > 0 } root)
            return root;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "McpApi.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (McpApi.sln); set MCPAPI_REPO_ROOT.");
    }
}
