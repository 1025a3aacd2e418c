using System.Net;
using System.Net.Sockets;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// Holds the default ports (HTTP 5000, TCP door 5050) on loopback for as long as it lives, as a server started with
/// <c>dotnet run --project McpApi</c> would. A port that is already taken (by such a server) is left as it is: either
/// way nothing the test starts can use it, so the test proves it does not need it.
/// </summary>
internal sealed class DefaultPorts : IDisposable
{
    public const int Http = 5000;
    public const int Tcp = 5050;

    private readonly List<Socket> _held = [];

    public DefaultPorts()
    {
        foreach (var port in new[] { Http, Tcp })
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen();
                _held.Add(socket);
            }
            catch (SocketException)
            {
                socket.Dispose(); // already in use: exactly the situation the test is about
            }
        }
    }

    public void Dispose()
    {
        foreach (var socket in _held)
            socket.Dispose();
    }
}
