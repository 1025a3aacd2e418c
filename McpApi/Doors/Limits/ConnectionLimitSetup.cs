using System.Net;
using System.Text;
using System.Text.Json;
using McpApi.BrowserAccess;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using McpApi.Doors.Tcp;
using McpApi.Envelopes;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Limits;

/// <summary>
/// Connection caps on every HTTP address (a Kestrel connection middleware, so they hold before any HTTP is parsed),
/// plus Kestrel's own cap on upgraded (WebSocket) connections. The WebSocket, SSE and TCP doors take their places
/// from the same <see cref="ConnectionLimits"/>.
/// </summary>
/// <remarks>
/// Kestrel's <c>MaxConcurrentConnections</c> is not used for HTTP: it closes the socket without a word and would shut
/// out <c>/health</c> too. Here a connection past the cap is let in for <c>/health</c> while the reserve lasts, and
/// gets a 503 error envelope (then is closed) otherwise.
/// </remarks>
public static class ConnectionLimitSetup
{
    public static WebApplicationBuilder AddConnectionLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ConnectionLimitOptions>().BindConfiguration(ConnectionLimitOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConnectionLimitOptions>, ConnectionLimitOptionsValidator>());
        services.TryAddSingleton<ConnectionLimits>();
        // Runs before the TCP door's Listen calls, so every HTTP address bound from here on gets the cap.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var limits = kestrel.ApplicationServices.GetRequiredService<ConnectionLimits>();
            var tcp = kestrel.ApplicationServices.GetRequiredService<IOptions<TcpDoorOptions>>().Value;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.Settings.MaxWebSockets;
            kestrel.ConfigureEndpointDefaults(endpoint =>
            {
                if (tcp.Enabled && endpoint.IPEndPoint?.Port == tcp.Port)
                    return; // the TCP door counts its own connections
                endpoint.Use(next => connection => OnHttpConnectionAsync(connection, next, limits));
            });
        });
        return builder;
    }

    /// <summary>A connection let in only for /health answers that one request and closes; anything else gets 503.</summary>
    public static WebApplication UseConnectionLimits(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<ConnectionLimits>();
        app.Use((http, next) =>
        {
            if (!limits.IsHealthOnly(http.Connection.Id, out var refusedBy))
                return next(http);
            http.Response.Headers.Connection = "close";
            if (http.Request.Path.StartsWithSegments("/health"))
                return next(http);
            var error = limits.Refusal(ConnectionDoor.Http, refusedBy!, http.Connection.RemoteIpAddress);
            return new EnvelopeResult(Dispatcher.Failure(error, http.TraceIdentifier)).ExecuteAsync(http);
        });
        return app;
    }

    private static async Task OnHttpConnectionAsync(ConnectionContext connection, ConnectionDelegate next, ConnectionLimits limits)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        using var lease = limits.TryOpen(ConnectionDoor.Http, address, out var limit);
        if (lease is not null)
        {
            await next(connection);
            return;
        }
        using var reserved = limits.TryOpenHealthOnly(connection.ConnectionId, limit!);
        if (reserved is null)
        {
            await RefuseAsync(connection, limits.Refusal(ConnectionDoor.Http, limit!, address));
            return;
        }
        // A reserved place serves one quick request: a client that holds it without asking loses it.
        using var expiry = new CancellationTokenSource(HealthOnlyLifetime);
        using var abort = expiry.Token.Register(() => connection.Abort(new ConnectionAbortedException("A connection let in past the cap for /health only did not finish in time.")));
        await next(connection);
    }

    /// <summary>How long a connection let in past the cap for /health may stay open.</summary>
    internal static readonly TimeSpan HealthOnlyLifetime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Past the cap and the reserve: reads what the client sent first (so closing does not reset the connection under
    /// the reply), answers 503 with the error envelope unless the client speaks TLS, and closes.
    /// </summary>
    private static async Task RefuseAsync(ConnectionContext connection, RequestError error)
    {
        var tls = false;
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var read = await connection.Transport.Input.ReadAsync(wait.Token);
            tls = !read.Buffer.IsEmpty && read.Buffer.FirstSpan[0] == 0x16; // a TLS handshake record
            connection.Transport.Input.AdvanceTo(read.Buffer.End);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
        }
        if (tls)
            return;
        var body = JsonSerializer.SerializeToUtf8Bytes(Dispatcher.Failure(error, connection.ConnectionId).Response, EnvelopeJson.Response);
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {error.StatusCode} {(error.StatusCode == 429 ? "Too Many Requests" : "Service Unavailable")}\r\n"
            + $"Content-Type: {EnvelopeResult.JsonContentType}\r\nContent-Length: {body.Length}\r\nRetry-After: 1\r\n{SecurityHeaders.RawHeaderLines}Connection: close\r\n\r\n");
        try
        {
            await connection.Transport.Output.WriteAsync(head);
            await connection.Transport.Output.WriteAsync(body);
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or InvalidOperationException or IOException)
        {
        }
    }
}
