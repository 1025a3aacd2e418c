using Microsoft.Extensions.Options;

namespace McpApi.Hosting;

/// <summary>The <c>McpApi</c> section of appsettings.json.</summary>
public sealed class McpApiOptions
{
    public const string Section = "McpApi";

    /// <summary>Largest accepted request body in bytes (default 1 MiB), envelope and MCP alike; larger ones get 413.</summary>
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Serve the Swagger UI at /swagger and the document at /swagger/v1/swagger.json.</summary>
    public bool EnableSwagger { get; set; } = true;
}

internal sealed class McpApiOptionsValidator : IValidateOptions<McpApiOptions>
{
    public ValidateOptionsResult Validate(string? name, McpApiOptions options) =>
        options.MaxRequestBytes is < 1024 or > 64 * 1024 * 1024
            ? ValidateOptionsResult.Fail(
                $"McpApi:MaxRequestBytes is {options.MaxRequestBytes}; set it between 1024 and 67108864 bytes (default 1048576).")
            : ValidateOptionsResult.Success;
}
