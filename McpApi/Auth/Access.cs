using McpApi.Dispatching;

namespace McpApi.Auth;

/// <summary>The dispatcher's access rules: 401 without a credential, 403 naming the scope a call needs.</summary>
public static class Access
{
    /// <summary>401 <c>unauthenticated</c>: no credential, or one that was refused (<see cref="CallContext.CredentialProblem"/>).</summary>
    public static RequestError Unauthenticated(CallContext caller) =>
        new(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated,
            caller.CredentialProblem ?? NoCredential);

    public const string NoCredential =
        "This server requires a credential: send 'Authorization: Bearer <key or token>' or 'X-Api-Key: <key>' "
        + "(WebSocket and TCP: first send {\"model\":\"auth\",\"data\":{\"key\":\"<key>\"}}).";

    /// <summary>403 unless some scope of <paramref name="identity"/> allows the action on at least one context scope.</summary>
    public static void RequireAction(CallerIdentity identity, RegisteredAction action)
    {
        var declared = action.Action;
        if (!identity.Scopes.AllowsSomewhere(action.Model, declared.Name, declared.ReadOnly))
            throw Forbidden(identity, action, null);
    }

    /// <summary>403 unless some scope of <paramref name="identity"/> allows the action on <paramref name="contextScope"/>.</summary>
    public static void RequireScope(CallerIdentity identity, RegisteredAction action, string? contextScope)
    {
        var declared = action.Action;
        if (!identity.Scopes.Allows(action.Model, declared.Name, declared.ReadOnly, contextScope))
            throw Forbidden(identity, action, contextScope);
    }

    /// <summary>Whether a caller may call an action somewhere (listings show only those); anonymous callers see everything only when no credential is required.</summary>
    public static bool MayCall(CallerIdentity? identity, RegisteredAction action) =>
        identity is null || identity.Scopes.AllowsSomewhere(action.Model, action.Action.Name, action.Action.ReadOnly);

    /// <summary>403: naming someone else as the sender or player needs <c>act-as</c>.</summary>
    public static RequestError Impersonation(CallerIdentity identity, string field, string named) =>
        new(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
            $"You are '{identity.Name}', but {field} names '{named}': acting as someone else needs the scope '{AccessScope.ActAs}'. "
            + $"Leave {field} out (it is taken from your credential) or set it to '{identity.Name}'.")
        {
            Extra = new() { ["requiredScope"] = AccessScope.ActAs, ["caller"] = identity.Name },
        };

    private static RequestError Forbidden(CallerIdentity identity, RegisteredAction action, string? contextScope)
    {
        var required = new AccessScope(action.Model, action.Action.Name, contextScope).ToString();
        var group = action.Action.ReadOnly ? AccessScope.ReadGroup : AccessScope.WriteGroup;
        var where = contextScope is null ? "" : $" on '{contextScope}'";
        return new RequestError(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
            $"'{identity.Name}' may not call {action.Model}.{action.Action.Name}{where}: it needs the scope '{required}' "
            + $"(or a broader one such as '{action.Model}:{group}' or '{action.Model}:*'). Its scopes: {string.Join(", ", identity.Scopes.Texts)}.")
        {
            Extra = new() { ["requiredScope"] = required, ["caller"] = identity.Name },
        };
    }
}
