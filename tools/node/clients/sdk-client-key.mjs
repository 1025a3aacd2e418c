// The official TypeScript MCP SDK against a server with Auth:Mode=ApiKey (or Jwt): the key or token as a bearer token.
// Usage: MCPAPI_KEY=<key of 'ana' with chat:* and notes:read> node sdk-client-key.mjs http://127.0.0.1:5000/mcp
// (exit code 0 when every check passed)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = new URL(process.argv[2] ?? "http://localhost:5000/mcp");
const key = process.env.MCPAPI_KEY ?? "";
let failures = 0;
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : ` :: ${JSON.stringify(detail)}`}`);
  if (!ok) failures++;
}

// Without a token the server answers 401 before any session exists.
try {
  await new Client({ name: "mcpapi-sdk-anonymous", version: "1.0.0" }).connect(new StreamableHTTPClientTransport(url));
  check("connecting without a token is refused", false, "connected");
} catch (error) {
  check("connecting without a token is refused with 401", String(error).includes("401") || error?.code === 401, String(error));
}

const client = new Client({ name: "mcpapi-sdk-key", version: "1.0.0" });
const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
await client.connect(transport);
check("connected with a bearer token", typeof transport.sessionId === "string", transport.sessionId);

const names = (await client.listTools()).tools.map((t) => t.name).sort();
check("tools/list shows only the key's tools", JSON.stringify(names) === JSON.stringify(
  ["chat_history", "chat_rooms", "chat_send", "notes_latest", "notes_list", "notes_notebooks", "notes_summary_prompt", "read_notes"]), names);

const sent = await client.callTool({ name: "chat_send", arguments: { context: { room: "lobby" }, data: "from the TypeScript SDK" } });
check("chat_send runs as the key's holder", sent.structuredContent?.data?.user === "ana", sent.structuredContent);

try {
  await client.callTool({ name: "notes_add", arguments: { data: "not allowed" } });
  check("notes_add without the scope is refused", false, "succeeded");
} catch (error) {
  check("notes_add without the scope is a JSON-RPC error naming the scope", error?.code === -32003 && String(error.message).includes("notes:add"), String(error));
}

await client.close();
console.log(failures === 0 ? "all checks passed" : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
