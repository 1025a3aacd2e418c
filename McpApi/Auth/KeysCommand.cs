using System.Text.Json;

namespace McpApi.Auth;

/// <summary>
/// <c>dotnet McpApi.dll keys new --name ana --scopes "chat:*" "notes:read"</c>: prints a new random key once, its
/// SHA-256 hash, and the settings to paste (appsettings.json and environment variables). The server never needs the key.
/// </summary>
public static class KeysCommand
{
    /// <summary>Whether the arguments are a <c>keys</c> command rather than the server's own.</summary>
    public static bool Matches(string[] args) => args.Length > 0 && args[0] == "keys";

    /// <summary>Runs the command; returns the exit code (0, or 2 for a usage error).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length < 2 || args[1] != "new")
            return Usage(error, "Unknown keys command.");
        string? name = null;
        var scopes = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--name" when i + 1 < args.Length:
                    name = args[++i];
                    break;
                case "--scopes":
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        scopes.AddRange(args[++i].Split([' ', ','], StringSplitOptions.RemoveEmptyEntries));
                    break;
                default:
                    return Usage(error, $"Unexpected argument '{args[i]}'.");
            }
        }
        if (name is null || !new Dispatching.NameAttribute().IsValid(name))
            return Usage(error, $"--name must be the key holder's name: {Dispatching.NameAttribute.Rule}.");
        if (scopes.Count == 0)
            return Usage(error, "--scopes must list at least one scope, e.g. \"chat:*\" \"notes:read\" or \"*\".");
        var problems = new List<string>();
        ScopeSet.Parse(scopes, problems);
        if (problems.Count > 0)
            return Usage(error, string.Join(" ", problems));

        var key = ApiKeys.NewKey();
        var hash = ApiKeys.HashHex(key);
        var json = JsonSerializer.Serialize(new { Name = name, Hash = hash, Scopes = scopes });
        output.WriteLine($"New API key for '{name}'. It is shown only now: give it to its holder; McpApi keeps only its hash.");
        output.WriteLine();
        output.WriteLine($"  key:    {key}");
        output.WriteLine($"  sha256: {hash}");
        output.WriteLine();
        output.WriteLine("appsettings.json (add the object to Auth:ApiKeys):");
        output.WriteLine($"  \"Auth\": {{ \"Mode\": \"ApiKey\", \"ApiKeys\": [ {json} ] }}");
        output.WriteLine();
        output.WriteLine("Environment variables (docker run -e ...; use the next free index N for more keys):");
        output.WriteLine("  Auth__Mode=ApiKey");
        output.WriteLine($"  Auth__ApiKeys__0__Name={name}");
        output.WriteLine($"  Auth__ApiKeys__0__Hash={hash}");
        for (var i = 0; i < scopes.Count; i++)
            output.WriteLine($"  Auth__ApiKeys__0__Scopes__{i}={scopes[i]}");
        output.WriteLine();
        output.WriteLine("Clients send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.");
        return 0;
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine(problem);
        error.WriteLine("Usage: dotnet McpApi.dll keys new --name <holder> --scopes <scope> [<scope> ...]");
        error.WriteLine("  scopes: model:action or model:action:scope, '*' in any part, read/write groups, e.g. \"chat:*\" \"notes:read\" \"state:*:team\" \"*:read\" \"*\" \"act-as\"");
        return 2;
    }
}
