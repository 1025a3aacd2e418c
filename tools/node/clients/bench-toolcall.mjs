// tools/call throughput of one tool over Streamable HTTP with the official TypeScript SDK client.
// Usage: node bench-toolcall.mjs <url> <tool> <argumentsJson> [clients=8] [seconds=10] [maxCalls=200000]
// Bounded by time and by call count; prints one JSON line {tool, calls, seconds, callsPerSecond, errors}.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, tool, argsJson, clientsArg = "8", secondsArg = "10", maxArg = "200000"] = process.argv.slice(2);
const args = JSON.parse(argsJson);
const clients = Number(clientsArg), seconds = Number(secondsArg), maxCalls = Number(maxArg);

const sessions = await Promise.all(Array.from({ length: clients }, async () => {
  const client = new Client({ name: "mcpapi-bench", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}));

let calls = 0, errors = 0;
const deadline = performance.now() + seconds * 1000;
const started = performance.now();
await Promise.all(sessions.map(async ({ client }) => {
  while (performance.now() < deadline && calls < maxCalls) {
    calls++;
    const result = await client.callTool({ name: tool, arguments: args });
    if (result.isError) errors++;
  }
}));
const elapsed = (performance.now() - started) / 1000;
for (const { client, transport } of sessions) {
  await transport.terminateSession().catch(() => {});
  await client.close();
}
console.log(JSON.stringify({ tool, calls, seconds: Number(elapsed.toFixed(2)), callsPerSecond: Math.round(calls / elapsed), errors }));
