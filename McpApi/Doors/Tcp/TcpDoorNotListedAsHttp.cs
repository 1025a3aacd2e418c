using McpApi.Logging;
using Microsoft.Extensions.Options;
using Serilog.Events;

namespace McpApi.Doors.Tcp;

/// <summary>
/// Kestrel announces every endpoint it binds as "Now listening on: http://...", the TCP door's too, which is not HTTP.
/// This drops that one line; <see cref="TcpDoorSetup.AnnounceTcpDoor"/> says where the TCP door listens instead.
/// </summary>
internal sealed class TcpDoorNotListedAsHttp(IOptions<TcpDoorOptions> options) : IKeepsRequestEvents
{
    public bool IsEnabled(LogEvent logEvent) =>
        !(logEvent.MessageTemplate.Text == "Now listening on: {address}"
          && logEvent.Properties.TryGetValue("address", out var address)
          && address is ScalarValue { Value: string url }
          && Uri.TryCreate(url, UriKind.Absolute, out var uri)
          && options.Value is { Enabled: true } tcp
          && uri.Port == tcp.Port);
}
