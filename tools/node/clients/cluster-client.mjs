// MCP across replicas, as the official TypeScript SDK client sees it.
// Usage: node cluster-client.mjs <balancer /mcp URL> <replica base URL,replica base URL,...> stateful|stateless
//   1. Through the balancer: initialize, then 20 tool calls; all succeed.
//   2. Spread on purpose: the client's fetch sends each request to the next replica in turn (initialize to the first,
//      the next request to the second, ...): 20 calls, every replica serves some, all succeed.
//   3. stateful only: a client subscribed to a resource through the balancer is notified of writes made directly on
//      every replica (the envelope door), so also on the replicas its session does not live on.
// Exit code 0 when every check passed.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const balancer = new URL(process.argv[2]);
const replicas = (process.argv[3] ?? "").split(",").filter(Boolean).map((u) => new URL(u));
const mode = process.argv[4] ?? "stateful";
let failures = 0;
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : ` :: ${JSON.stringify(detail)}`}`);
  if (!ok) failures++;
}

async function twentyCalls(client, label) {
  let succeeded = 0;
  const problems = [];
  for (let i = 0; i < 20; i++) {
    try {
      const result = i % 2 === 0
        ? await client.callTool({ name: "echo_echo", arguments: { data: `${label} ${i}` } })
        : await client.callTool({ name: "notes_add", arguments: { context: `cluster-${mode}`, data: `${label} ${i}` } });
      if (!result.isError && result.structuredContent?.status === "success") succeeded++;
      else problems.push(result);
    } catch (error) {
      problems.push(String(error));
    }
  }
  check(`${label}: 20 tool calls after initialize all succeed`, succeeded === 20, problems.slice(0, 3));
}

// 1. Through the balancer.
{
  const client = new Client({ name: "mcpapi-cluster", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(balancer);
  await client.connect(transport);
  check(`balancer: ${mode} mode ${mode === "stateless" ? "has no session" : "has a session"}`,
    mode === "stateless" ? transport.sessionId === undefined : typeof transport.sessionId === "string", transport.sessionId);
  await twentyCalls(client, "balancer");
  await transport.terminateSession().catch(() => {});
  await client.close();
}

// 2. Each request to the next replica.
{
  let turn = 0;
  const served = new Map();
  const rotating = (input, init) => {
    const target = new URL(input instanceof Request ? input.url : String(input));
    const replica = replicas[turn++ % replicas.length];
    target.host = replica.host;
    if ((init?.method ?? "GET") === "POST") served.set(replica.host, (served.get(replica.host) ?? 0) + 1);
    return fetch(target, init);
  };
  const client = new Client({ name: "mcpapi-cluster-spread", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL("/mcp", replicas[0]), { fetch: rotating });
  await client.connect(transport);
  await twentyCalls(client, "spread over the replicas");
  check(`spread: every replica served requests of the one ${mode === "stateless" ? "client" : "session"}`,
    replicas.every((r) => (served.get(r.host) ?? 0) >= 3), Object.fromEntries(served));
  await client.close();
}

// 3. A subscription fed by writes on every replica.
if (mode !== "stateless") {
  const updates = [];
  let waiter = null;
  const nextUpdate = (uri, ms = 15000) => {
    const found = updates.indexOf(uri);
    if (found >= 0) return Promise.resolve(updates.splice(found, 1)[0]);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { waiter = null; resolve(null); }, ms);
      waiter = (got) => {
        if (got !== uri) return false;
        clearTimeout(timer);
        waiter = null;
        resolve(got);
        return true;
      };
    });
  };
  const client = new Client({ name: "mcpapi-cluster-subscriber", version: "1.0.0" });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    if (!(waiter && waiter(n.params.uri))) updates.push(n.params.uri);
  });
  const transport = new StreamableHTTPClientTransport(balancer);
  await client.connect(transport);
  // One notebook per replica, so a late notification for one write cannot count for another replica's.
  const notebooks = replicas.map((_, i) => `cluster${Date.now()}r${i + 1}`);
  for (const notebook of notebooks) await client.subscribeResource({ uri: `notes://${notebook}/latest` });
  // The SDK opens its GET stream after initialization; give it a moment before the first write.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  for (const [i, replica] of replicas.entries()) {
    const notebook = notebooks[i];
    const uri = `notes://${notebook}/latest`;
    // A notification sent before the SDK's GET stream is open has nowhere to go; on a slow machine the first write may
    // come too early, so a write that brought no notification is made again (up to 3 times) on the same replica.
    let fired = null;
    for (let attempt = 1; attempt <= 3 && fired !== uri; attempt++) {
      const waiting = nextUpdate(uri, 10000);
      const response = await fetch(new URL("/mcp", replica), { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ model: "notes", action: "add", context: notebook, data: `written on ${replica.host} (${attempt})` }) });
      const body = await response.json();
      check(`a note written directly on ${replica.host} is stored`, body.status === "success", body);
      fired = await waiting;
    }
    check(`the subscription through the balancer fires for the write on ${replica.host}`, fired === uri, updates);
  }
  await transport.terminateSession().catch(() => {});
  await client.close();
}

console.log(failures === 0 ? "cluster client: all checks passed" : `cluster client: ${failures} checks failed`);
process.exit(failures === 0 ? 0 : 1);
