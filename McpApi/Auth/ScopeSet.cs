namespace McpApi.Auth;

/// <summary>The scopes one credential holds, read once (an API key's at start-up, a token's when it arrives).</summary>
public sealed class ScopeSet
{
    private readonly AccessScope[] _scopes;

    private ScopeSet(AccessScope[] scopes, bool actAs, IReadOnlyList<string> texts)
    {
        _scopes = scopes;
        ActAs = actAs;
        Texts = texts;
    }

    /// <summary>Every scope (<c>*</c>): what stdio grants unless <c>Auth:Stdio:Scopes</c> says otherwise.</summary>
    public static readonly ScopeSet Everything = new([AccessScope.All], actAs: true, [AccessScope.Any]);

    /// <summary>May name someone else as a chat sender or game player (<c>act-as</c>, or <c>*</c>).</summary>
    public bool ActAs { get; }

    /// <summary>The scopes as written, for messages.</summary>
    public IReadOnlyList<string> Texts { get; }

    public bool Allows(string model, string action, bool readOnly, string? contextScope)
    {
        foreach (var scope in _scopes)
        {
            if (scope.Allows(model, action, readOnly, contextScope))
                return true;
        }
        return false;
    }

    public bool AllowsSomewhere(string model, string action, bool readOnly)
    {
        foreach (var scope in _scopes)
        {
            if (scope.AllowsSomewhere(model, action, readOnly))
                return true;
        }
        return false;
    }

    /// <summary>The context scopes named in scopes that allow the action there (<c>work</c> of <c>notes:*:work</c>); none for model-wide scopes.</summary>
    public IEnumerable<string> NamedContextScopes(string model, string action, bool readOnly) =>
        _scopes.Where(s => s.ContextScope is { } named && named != AccessScope.Any && s.AllowsSomewhere(model, action, readOnly))
            .Select(s => s.ContextScope!).Distinct(StringComparer.Ordinal);

    /// <summary>Reads scopes from settings: every one must be valid, else <paramref name="errors"/> lists what is wrong.</summary>
    public static ScopeSet Parse(IEnumerable<string> texts, List<string> errors)
    {
        var scopes = new List<AccessScope>();
        var kept = new List<string>();
        var actAs = false;
        foreach (var text in texts)
        {
            var value = text?.Trim() ?? "";
            if (value == AccessScope.ActAs)
            {
                actAs = true;
                kept.Add(value);
            }
            else if (AccessScope.TryParse(value, out var scope, out var error))
            {
                scopes.Add(scope!);
                actAs |= scope == AccessScope.All;
                kept.Add(value);
            }
            else
                errors.Add(error!);
        }
        return new ScopeSet([.. scopes], actAs, kept);
    }

    /// <summary>Reads scopes from a token (<c>scope</c> / <c>scp</c>): values that are not McpApi scopes (<c>openid</c>) are skipped.</summary>
    public static ScopeSet FromToken(IEnumerable<string> values) =>
        Parse(values.SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)), errors: []);
}
