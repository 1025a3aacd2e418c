namespace McpApi.Auth;

/// <summary>How callers prove who they are.</summary>
public enum AuthMode
{
    /// <summary>Anyone who can reach the server may do anything (allowed only on loopback, or with <c>Auth:AllowAnonymous=true</c>).</summary>
    None,

    /// <summary>API keys listed in <c>Auth:ApiKeys</c> (their SHA-256 hashes), sent as <c>Authorization: Bearer</c> or <c>X-Api-Key</c>.</summary>
    ApiKey,

    /// <summary>JWT bearer tokens from an issuer (<c>Auth:Jwt</c>).</summary>
    Jwt,
}

/// <summary>The <c>Auth</c> section: who may do what, on every door.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public AuthMode Mode { get; set; } = AuthMode.None;

    /// <summary>Run with <see cref="AuthMode.None"/> on a non-loopback address on purpose (everyone reaching it may do anything).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>The API keys (<see cref="AuthMode.ApiKey"/>): name, SHA-256 hash of the key, scopes.</summary>
    public List<ApiKeySetting> ApiKeys { get; set; } = [];

    public JwtSettings Jwt { get; set; } = new();

    public StdioSettings Stdio { get; set; } = new();

    /// <summary>How long a WebSocket or TCP client may take to send its first (auth) message, in seconds (default 10).</summary>
    public int FirstMessageSeconds { get; set; } = 10;

    /// <summary>How long an SSE ticket from <c>POST /events/ticket</c> stays valid, in seconds (default 30); each is used once.</summary>
    public int TicketSeconds { get; set; } = 30;

    public bool Required => Mode != AuthMode.None;
}

/// <summary><c>Auth:ApiKeys:N</c>: one key. The key itself never sits in settings, only its hash.</summary>
public sealed class ApiKeySetting
{
    /// <summary>Who holds the key; the identity a chat message or a move is recorded under.</summary>
    public string Name { get; set; } = "";

    /// <summary>The SHA-256 of the key, 64 hex digits (<c>dotnet McpApi.dll keys new</c> prints it).</summary>
    public string Hash { get; set; } = "";

    /// <summary>What the key may do: <c>chat:*</c>, <c>notes:read</c>, <c>state:*:team</c>, <c>*</c>, <c>act-as</c>.</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary><c>Auth:Jwt</c>: tokens from an OpenID Connect authority, or signed with a shared key.</summary>
public sealed class JwtSettings
{
    /// <summary>The issuer's URL; its signing keys are fetched from its OpenID configuration.</summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c> when tokens are signed with <see cref="SigningKey"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>A shared HMAC-SHA256 key (at least 32 bytes), as text.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The expected <c>aud</c> (required).</summary>
    public string? Audience { get; set; }

    /// <summary>The claim naming the caller (default <c>sub</c>).</summary>
    public string NameClaim { get; set; } = "sub";

    /// <summary>Fetch the authority's metadata over HTTPS only (default true).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}

/// <summary><c>Auth:Stdio</c>: MCP over stdin/stdout runs as the local user.</summary>
public sealed class StdioSettings
{
    /// <summary>The scopes of the local user on stdio (default: everything).</summary>
    public List<string> Scopes { get; set; } = [];
}
