namespace McpApi.Doors.Mcp;

/// <summary>
/// The MCP revisions McpApi serves, as the SDK 2.4 serves them (its own list is internal): the ones that start with
/// <c>initialize</c> (and may keep a session), and the ones served per request (<c>_meta</c>, <c>server/discover</c>).
/// McpPerRequestRevisionTests holds <see cref="PerRequest"/> to what the SDK's <c>server/discover</c> lists.
/// </summary>
internal static class McpRevisions
{
    public static readonly string[] WithInitialize = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

    public static readonly string[] PerRequest = ["2026-07-28"];

    public static bool IsSupported(string version) => WithInitialize.Contains(version) || PerRequest.Contains(version);

    /// <summary>True for a revision without <c>initialize</c> and sessions (2026-07-28 and later; revisions are dates).</summary>
    public static bool IsPerRequest(string version) => version.Length > 0 && string.CompareOrdinal(version, PerRequest[0]) >= 0;
}
