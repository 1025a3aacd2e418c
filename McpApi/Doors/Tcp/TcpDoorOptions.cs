using System.Net;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Tcp;

/// <summary>The <c>McpApi:Tcp</c> section: the raw TCP door (newline-delimited JSON envelopes).</summary>
public sealed class TcpDoorOptions
{
    public const string Section = "McpApi:Tcp";

    /// <summary>Listen for TCP clients at all (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The TCP port (default 5050).</summary>
    public int Port { get; set; } = 5050;

    /// <summary><c>localhost</c> (default: loopback only), an IP address such as <c>127.0.0.1</c>, or <c>*</c> for every interface.</summary>
    public string Address { get; set; } = "localhost";
}

internal sealed class TcpDoorOptionsValidator : IValidateOptions<TcpDoorOptions>
{
    public ValidateOptionsResult Validate(string? name, TcpDoorOptions options)
    {
        if (!options.Enabled)
            return ValidateOptionsResult.Success;
        if (options.Port is < 1 or > 65535)
            return ValidateOptionsResult.Fail($"{TcpDoorOptions.Section}:Port is {options.Port}; set a port between 1 and 65535 (default 5050), or {TcpDoorOptions.Section}:Enabled=false.");
        if (options.Address is not ("localhost" or "*") && !IPAddress.TryParse(options.Address, out _))
            return ValidateOptionsResult.Fail($"{TcpDoorOptions.Section}:Address is '{options.Address}'; use 'localhost', '*' (every interface) or an IP address such as 127.0.0.1.");
        return ValidateOptionsResult.Success;
    }
}
