// Baseline: the SDK's own Streamable HTTP server with one [McpServerTool], default logging, nothing else.
// --Mcp:SessionMode=Stateless (default) or StatefulForInitializeClients (sessions for initialize clients,
// per request for 2026-07-28 clients), as McpApi's setting of the same name.
#pragma warning disable MCP9006
using System.ComponentModel;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

var builder = WebApplication.CreateSlimBuilder(args);
var mode = builder.Configuration.GetValue("Mcp:SessionMode", HttpServerSessionMode.Stateless);
builder.Services.AddMcpServer().WithHttpTransport(transport => transport.SessionMode = mode).WithTools<EchoTools>();
var app = builder.Build();
app.MapMcp("/mcp");
app.Run();

[McpServerToolType]
internal sealed class EchoTools
{
    [McpServerTool(Name = "echo_echo"), Description("Echoes data back.")]
    public static string Echo(string context, string data) => data;
}
