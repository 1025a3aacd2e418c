using McpApi.Auth;

namespace McpApi.Tests.Infrastructure;

/// <summary>API keys for tests: the settings that configure them (only their hashes), and headers that send them.</summary>
internal static class TestKeys
{
    /// <summary>Holds every scope (including act-as).</summary>
    public const string Admin = "admin-key-0123456789";

    /// <summary>ana: chat:* and notes:read.</summary>
    public const string Ana = "ana-key-0123456789";

    /// <summary>bob: move:* and notes:*:work.</summary>
    public const string Bob = "bob-key-0123456789";

    /// <summary>bridge: chat:send and act-as.</summary>
    public const string Bridge = "bridge-key-0123456789";

    /// <summary>carol: move:*:g1 (every action on game g1 only).</summary>
    public const string Carol = "carol-key-0123456789";

    public static readonly (string Name, string Key, string[] Scopes)[] All =
    [
        ("admin", Admin, ["*"]),
        ("ana", Ana, ["chat:*", "notes:read"]),
        ("bob", Bob, ["move:*", "notes:*:work"]),
        ("bridge", Bridge, ["chat:send", "act-as"]),
        ("carol", Carol, ["move:*:g1"]),
    ];

    /// <summary>Adds <c>Auth:Mode=ApiKey</c> and the keys of <see cref="All"/> to <paramref name="settings"/>.</summary>
    public static Dictionary<string, string?> WithApiKeys(this Dictionary<string, string?> settings)
    {
        settings["Auth:Mode"] = "ApiKey";
        for (var i = 0; i < All.Length; i++)
        {
            var (name, key, scopes) = All[i];
            settings[$"Auth:ApiKeys:{i}:Name"] = name;
            settings[$"Auth:ApiKeys:{i}:Hash"] = ApiKeys.HashHex(key);
            for (var j = 0; j < scopes.Length; j++)
                settings[$"Auth:ApiKeys:{i}:Scopes:{j}"] = scopes[j];
        }
        return settings;
    }

    /// <summary>An app in ApiKey mode with the keys of <see cref="All"/>.</summary>
    public static McpApiApplication ApiKeyApp()
    {
        var app = new McpApiApplication();
        app.Settings.WithApiKeys();
        return app;
    }

    /// <summary>A client that sends <paramref name="key"/> as <c>Authorization: Bearer</c>.</summary>
    public static HttpClient WithKey(this HttpClient client, string key)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
