using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace McpApi.Auth;

/// <summary>The configured API keys, read once: each key's name, hash and scopes.</summary>
public sealed class ApiKeys
{
    private readonly (byte[] Hash, CallerIdentity Caller)[] _keys;

    public ApiKeys(IOptions<AuthOptions> options)
    {
        var errors = new List<string>();
        _keys = [.. options.Value.ApiKeys.Select(k => (Convert.FromHexString(k.Hash.Trim()), new CallerIdentity(k.Name, ScopeSet.Parse(k.Scopes, errors))))];
    }

    /// <summary>
    /// The caller whose key this is, or null. The key's hash is compared with every configured hash in constant time,
    /// so neither the time taken nor the order of keys says how close a guess was.
    /// </summary>
    public CallerIdentity? Find(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(key, hash);
        CallerIdentity? found = null;
        foreach (var (expected, caller) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
                found = caller;
        }
        return found;
    }

    /// <summary>The SHA-256 of a key as 64 lowercase hex digits, the form <c>Auth:ApiKeys:N:Hash</c> takes.</summary>
    public static string HashHex(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(key, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>A new random key: <c>mcpk_</c> and 32 random bytes, base64url.</summary>
    public static string NewKey() =>
        "mcpk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static void Hash(string key, Span<byte> destination)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        SHA256.HashData(bytes, destination);
    }
}
