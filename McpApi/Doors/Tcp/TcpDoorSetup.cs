using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Tcp;

/// <summary>
/// Adds the TCP door as one more Kestrel endpoint beside HTTP. Kestrel ignores the <c>Urls</c> setting as soon as
/// endpoints are configured in code, so the HTTP addresses from <c>Urls</c> / <c>--urls</c> / <c>ASPNETCORE_URLS</c> /
/// <c>ASPNETCORE_HTTP_PORTS</c> are bound explicitly here, exactly as Kestrel would have bound them.
/// </summary>
public static class TcpDoorSetup
{
    public static WebApplicationBuilder AddTcpDoor(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TcpDoorOptions>().BindConfiguration(TcpDoorOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TcpDoorOptions>, TcpDoorOptionsValidator>());
        if (builder.Configuration.GetSection(TcpDoorOptions.Section).Get<TcpDoorOptions>() is { Enabled: false })
            return builder;

        builder.Services.AddSingleton<Serilog.Core.ILogEventFilter, TcpDoorNotListedAsHttp>();
        builder.Services.AddSingleton<HostingUrlsBinding>();
        builder.Services.AddTransient<IStartupFilter, HostingUrlsBoundByTcpDoor>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // Through IOptions, so an invalid setting fails with the validator's message before Kestrel sees it.
            var tcp = kestrel.ApplicationServices.GetRequiredService<IOptions<TcpDoorOptions>>().Value;
            if (!tcp.Enabled)
                return;
            // Endpoints in the Kestrel:Endpoints section are bound by Kestrel itself.
            if (!context.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
            {
                foreach (var url in HostingUrls(context.Configuration))
                    ListenOn(kestrel, url);
                kestrel.ApplicationServices.GetRequiredService<HostingUrlsBinding>().Bound = true;
            }
            Listen(kestrel, tcp.Address, tcp.Port, endpoint => endpoint.UseConnectionHandler<TcpEnvelopeHandler>());
        });
        return builder;
    }

    /// <summary>Says where the TCP door listens once the server has started (Kestrel lists it as http://).</summary>
    public static WebApplication AnnounceTcpDoor(this WebApplication app)
    {
        var tcp = app.Services.GetRequiredService<IOptions<TcpDoorOptions>>().Value;
        if (tcp.Enabled && app.Services.GetService<IServer>()?.GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true)
        {
            app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
                "TCP door: newline-delimited JSON envelopes on {Address}:{Port} (setting McpApi:Tcp)", tcp.Address, tcp.Port));
        }
        return app;
    }

    private static void ListenOn(KestrelServerOptions kestrel, string url)
    {
        var address = BindingAddress.Parse(url);
        Action<ListenOptions> configure = address.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase)
            ? endpoint => endpoint.UseHttps()
            : _ => { };
        if (address.IsUnixPipe)
            kestrel.ListenUnixSocket(address.UnixPipePath, configure);
        else
            Listen(kestrel, address.Host, address.Port, configure);
    }

    /// <summary>The HTTP addresses the host would use: Urls, else HTTP_PORTS/HTTPS_PORTS, else http://localhost:5000.</summary>
    internal static IEnumerable<string> HostingUrls(IConfiguration configuration)
    {
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls))
        {
            var ports = new[] { ("http", configuration[WebHostDefaults.HttpPortsKey]), ("https", configuration[WebHostDefaults.HttpsPortsKey]) };
            urls = string.Join(';', ports.SelectMany(p => (p.Item2 ?? "")
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(port => $"{p.Item1}://*:{port}")));
        }
        if (string.IsNullOrWhiteSpace(urls))
            urls = "http://localhost:5000";
        return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            kestrel.ListenLocalhost(port, configure);
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            if (ip.Equals(IPAddress.IPv6Any))
                kestrel.ListenAnyIP(port, configure);
            else
                kestrel.Listen(ip, port, configure);
        }
        else
            kestrel.ListenAnyIP(port, configure); // "*", "+" and host names bind every interface, as Kestrel does for Urls
    }
}

internal sealed class HostingUrlsBinding
{
    public bool Bound { get; set; }
}

/// <summary>
/// Runs after the host copied Urls into the server's addresses and before the server starts. When the TCP door bound
/// those addresses itself, the host's copy is cleared; left in place, Kestrel would log "Overriding address(es)".
/// </summary>
internal sealed class HostingUrlsBoundByTcpDoor(HostingUrlsBinding binding) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (binding.Bound && app.ServerFeatures.Get<IServerAddressesFeature>() is { Addresses.IsReadOnly: false } addresses)
            addresses.Addresses.Clear();
        next(app);
    };
}
