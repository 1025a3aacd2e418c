using System.Net;
using McpApi.Dispatching;
using McpApi.Doors.Tcp;
using Microsoft.Extensions.Options;

namespace McpApi.Auth;

/// <summary>
/// Checks the <c>Auth</c> section at start-up, each failure naming the setting and the fix. <see cref="AuthMode.None"/>
/// is refused while HTTP or TCP listens beyond loopback, unless <c>Auth:AllowAnonymous=true</c> says it is on purpose.
/// </summary>
internal sealed class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    private const string MakeAKey = "dotnet McpApi.dll keys new --name <who> --scopes \"*\"";

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        ScopeSet.Parse(options.Stdio.Scopes, errors);
        if (options.FirstMessageSeconds is < 1 or > 300)
            errors.Add($"{AuthOptions.Section}:FirstMessageSeconds is {options.FirstMessageSeconds}; use 1 to 300 (default 10).");
        if (options.TicketSeconds is < 1 or > 600)
            errors.Add($"{AuthOptions.Section}:TicketSeconds is {options.TicketSeconds}; use 1 to 600 (default 30).");
        switch (options.Mode)
        {
            case AuthMode.None:
                if (!options.AllowAnonymous && configuration.GetValue<bool>("Mcp:Stdio") is false && OpenAddress() is { } open)
                {
                    errors.Add($"{AuthOptions.Section}:Mode is None (no authentication) but {open}, beyond this machine: anyone who reaches it could read and change everything. "
                        + $"Set {AuthOptions.Section}:Mode=ApiKey with a key ({MakeAKey} prints the settings), "
                        + $"or set {AuthOptions.Section}:AllowAnonymous=true to run it open on purpose.");
                }
                break;
            case AuthMode.ApiKey:
                ValidateKeys(options, errors);
                break;
            case AuthMode.Jwt:
                ValidateJwt(options.Jwt, errors);
                break;
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateKeys(AuthOptions options, List<string> errors)
    {
        if (options.ApiKeys.Count == 0)
            errors.Add($"{AuthOptions.Section}:Mode is ApiKey but {AuthOptions.Section}:ApiKeys lists no key; {MakeAKey} prints one with the settings to paste.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            var setting = $"{AuthOptions.Section}:ApiKeys:{i}";
            if (!new NameAttribute().IsValid(key.Name))
                errors.Add($"{setting}:Name is '{key.Name}'; name the key's holder with {NameAttribute.Rule}.");
            else if (!names.Add(key.Name))
                errors.Add($"{setting}:Name '{key.Name}' is used by two keys; each key names one holder.");
            if (key.Hash.Trim().Length != 64 || !key.Hash.Trim().All(Uri.IsHexDigit))
                errors.Add($"{setting}:Hash must be the key's SHA-256 as 64 hex digits (never the key itself); {MakeAKey} prints both.");
            if (key.Scopes.Count == 0)
                errors.Add($"{setting}:Scopes is empty; list what the key may do, e.g. [\"chat:*\", \"notes:read\"] or [\"*\"].");
            ScopeSet.Parse(key.Scopes, errors);
        }
    }

    private static void ValidateJwt(JwtSettings jwt, List<string> errors)
    {
        var section = $"{AuthOptions.Section}:Jwt";
        if (string.IsNullOrWhiteSpace(jwt.Audience))
            errors.Add($"{section}:Audience is required: the 'aud' tokens for this server carry.");
        if (string.IsNullOrWhiteSpace(jwt.Authority))
        {
            if (string.IsNullOrWhiteSpace(jwt.Issuer) || string.IsNullOrWhiteSpace(jwt.SigningKey))
                errors.Add($"Set {section}:Authority (the issuer's URL) or both {section}:Issuer and {section}:SigningKey (a shared key).");
            else if (System.Text.Encoding.UTF8.GetByteCount(jwt.SigningKey) < 32)
                errors.Add($"{section}:SigningKey is too short for HMAC-SHA256: use at least 32 bytes.");
        }
        else if (!Uri.TryCreate(jwt.Authority, UriKind.Absolute, out _))
            errors.Add($"{section}:Authority '{jwt.Authority}' is not an absolute URL.");
        if (string.IsNullOrWhiteSpace(jwt.NameClaim))
            errors.Add($"{section}:NameClaim is empty; it names the claim that identifies the caller (default sub).");
    }

    /// <summary>The first listener beyond loopback, described ("HTTP listens on http://*:8080"), or null.</summary>
    private string? OpenAddress()
    {
        var kestrel = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        foreach (var url in kestrel.Count > 0 ? kestrel : TcpDoorSetup.HostingUrls(configuration))
        {
            if (!IsLoopbackUrl(url))
                return $"HTTP listens on {url}";
        }
        var tcp = configuration.GetSection(TcpDoorOptions.Section).Get<TcpDoorOptions>() ?? new TcpDoorOptions();
        if (tcp.Enabled && !IsLoopbackHost(tcp.Address))
            return $"the TCP door listens on {tcp.Address}:{tcp.Port} ({TcpDoorOptions.Section}:Address)";
        return null;
    }

    internal static bool IsLoopbackUrl(string url)
    {
        try
        {
            var address = BindingAddress.Parse(url);
            return address.IsUnixPipe || IsLoopbackHost(address.Host);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    internal static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
}
