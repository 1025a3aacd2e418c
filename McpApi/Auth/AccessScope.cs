using System.Text.RegularExpressions;

namespace McpApi.Auth;

/// <summary>
/// One scope a credential grants: <c>model:action</c> or <c>model:action:scope</c>, with <c>*</c> in any part and
/// <c>read</c> / <c>write</c> as action groups (actions declared read-only / all others). The third part is the model's
/// context scope (a notebook, room, namespace or game); left out, any. <c>chat:send</c>, <c>notes:*:work</c>,
/// <c>state:read</c>, <c>*:read</c>, <c>*</c>. Models and actions match case-insensitively, context scopes exactly.
/// </summary>
public sealed partial record AccessScope(string Model, string Action, string? ContextScope)
{
    public const string Any = "*";
    public const string ReadGroup = "read";
    public const string WriteGroup = "write";

    /// <summary>The scope that lets a caller name someone else as a chat sender or game player (trusted bridges).</summary>
    public const string ActAs = "act-as";

    /// <summary>Everything, including <see cref="ActAs"/>.</summary>
    public static readonly AccessScope All = new(Any, Any, null);

    /// <summary>The scope as written in settings and tokens.</summary>
    public override string ToString() => ContextScope is null ? $"{Model}:{Action}" : $"{Model}:{Action}:{ContextScope}";

    /// <summary>Whether this scope lets a caller run <paramref name="action"/> of <paramref name="model"/> on <paramref name="contextScope"/>.</summary>
    public bool Allows(string model, string action, bool readOnly, string? contextScope) =>
        AllowsSomewhere(model, action, readOnly)
        && (ContextScope is null or Any || contextScope is not null && string.Equals(ContextScope, contextScope, StringComparison.Ordinal));

    /// <summary>Whether this scope lets a caller run the action on at least one context scope.</summary>
    public bool AllowsSomewhere(string model, string action, bool readOnly) =>
        (Model == Any || Model.Equals(model, StringComparison.OrdinalIgnoreCase))
        && (Action == Any
            || Action.Equals(ReadGroup, StringComparison.OrdinalIgnoreCase) && readOnly
            || Action.Equals(WriteGroup, StringComparison.OrdinalIgnoreCase) && !readOnly
            || Action.Equals(action, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads one scope; <paramref name="error"/> says what is wrong with it otherwise.</summary>
    public static bool TryParse(string? text, out AccessScope? scope, out string? error)
    {
        scope = null;
        error = null;
        var value = text?.Trim() ?? "";
        if (value == Any)
        {
            scope = All;
            return true;
        }
        var parts = value.Split(':');
        if (parts.Length is < 2 or > 3)
        {
            error = $"'{value}' is not a scope: write model:action or model:action:scope (e.g. chat:send, notes:*:work, state:read, *:read), '*' or '{ActAs}'.";
            return false;
        }
        foreach (var part in parts)
        {
            if (part != Any && !Part().IsMatch(part))
            {
                error = $"'{value}' is not a scope: each part is '*' or a name (letters, digits, '_', '.', '-'), and '{part}' is not.";
                return false;
            }
        }
        scope = new AccessScope(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
        return true;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}\z")]
    private static partial Regex Part();
}
