using System.Net;
using System.Net.Sockets;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// Every 127.x.y.z address is this machine's loopback: a client that binds its socket to 127.0.0.2 reaches a server on
/// 127.0.0.1 as a different client IP. Tests of per-client limits use it to be "another client" without a network.
/// </summary>
internal static class LoopbackSources
{
    public static readonly IPAddress Other = IPAddress.Parse("127.0.0.2");

    /// <summary>An HTTP client whose connections come from <paramref name="source"/>.</summary>
    public static HttpClient CreateClient(Uri baseAddress, IPAddress source)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A TCP connection from <paramref name="source"/> to 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<Socket> ConnectAsync(int port, IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }
}
