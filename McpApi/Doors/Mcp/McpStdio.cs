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

    internal static void Configure(WebApplicationBuilder builder, IMcpServerBuilder mcp)
    {
        // The SDK's stdio transport, except that stdout goes through relaxed JSON escaping like the HTTP door's answers.
        // Stdin goes through McpStdioLines so a batch or an unreadable line is answered, not dropped.
        mcp.WithStreamServerTransport(new McpStdioLines(new CancellableStdin(Console.OpenStandardInput())),
            new RelaxedJsonEscapingStream(new BufferedStream(Console.OpenStandardOutput())));
        mcp.WithMessageFilters(filters => filters.AddIncomingFilter(McpStdioLines.Filter));

        // The SDK writes JSON-RPC to the raw stdout stream. Every console log sink switches to stderr, and anything
        // else written through Console.Out goes there too.
        var sinks = builder.Configuration.GetSection("Serilog:WriteTo").GetChildren()
            .Where(sink => sink["Name"] == "BatchedConsole")
            .Select(sink => KeyValuePair.Create<string, string?>($"{sink.Path}:Args:standardError", "true"));
        builder.Configuration.AddInMemoryCollection(sinks);
        Console.SetOut(Console.Error);
        builder.WebHost.UseServer(new NoNetworkServer());
    }

    /// <summary>Stdin whose reads end when their token is cancelled (console streams ignore it), so shutdown never waits on input.</summary>
    private sealed class CancellableStdin(Stream stdin) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            stdin.ReadAsync(buffer, offset, count, cancellationToken).WaitAsync(cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = stdin.ReadAsync(buffer, cancellationToken);
            return read.IsCompletedSuccessfully ? read : new(read.AsTask().WaitAsync(cancellationToken));
        }

        public override int Read(byte[] buffer, int offset, int count) => stdin.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                stdin.Dispose();
            base.Dispose(disposing);
        }
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
