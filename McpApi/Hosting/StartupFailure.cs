using System.Text.RegularExpressions;
using McpApi.Doors.Tcp;
using Microsoft.AspNetCore.Connections;

namespace McpApi.Hosting;

/// <summary>A start-up failure the user can fix; its message is one line naming what failed, where, and the setting.</summary>
public sealed class StartupFailureException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Explains the start-up failures a user can fix (a port in use, a database that cannot be opened) in one line,
/// like the invalid-settings message: what failed, the address or path, and the setting that changes it.
/// </summary>
public static partial class StartupFailure
{
    /// <summary>The one-line explanation, or null when the failure is unexpected (then the stack trace helps).</summary>
    public static string? Explain(Exception exception, IConfiguration? configuration)
    {
        var chain = Chain(exception).ToList();
        if (chain.OfType<StartupFailureException>().FirstOrDefault() is { } known)
            return known.Message;
        if (chain.Any(e => e is AddressInUseException) && chain.Select(e => BindFailure().Match(e.Message)).FirstOrDefault(m => m.Success) is { } bind)
            return AddressInUse(bind.Groups["address"].Value, configuration);
        return null;
    }

    private static string AddressInUse(string address, IConfiguration? configuration)
    {
        var tcp = configuration?.GetSection(TcpDoorOptions.Section).Get<TcpDoorOptions>() ?? new TcpDoorOptions();
        var port = Uri.TryCreate(address, UriKind.Absolute, out var uri) ? uri.Port : -1;
        if (tcp.Enabled && port == tcp.Port)
        {
            return $"The TCP door cannot listen on {tcp.Address}:{tcp.Port}: the port is already in use (by another McpApi or another program). "
                + $"Set {TcpDoorOptions.Section}:Port to a free port (default 5050), or {TcpDoorOptions.Section}:Enabled=false.";
        }
        var urls = configuration is null ? [] : TcpDoorSetup.HostingUrls(configuration).ToList();
        var configured = urls.Contains(address, StringComparer.OrdinalIgnoreCase) || urls.Count == 0
            ? ""
            : $" (from {string.Join(", ", urls)}{(IsDefault(configuration!) ? ", the default" : "")})";
        return $"HTTP cannot listen on {address}{configured}: the address is already in use (by another McpApi or another program). "
            + "Choose another with --urls, Urls, ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS, e.g. --urls=http://localhost:5001.";
    }

    private static bool IsDefault(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        && string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        && string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        && !configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                    yield return inner;
            }
        }
    }

    // Kestrel: "Failed to bind to address http://127.0.0.1:5000: address already in use."
    [GeneratedRegex(@"bind to address (?<address>\S+?): address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex BindFailure();
}
