// Resource subscriptions as an MCP client sees them (TypeScript SDK over Streamable HTTP): the server advertises
// resources.subscribe, a write made by another door (the HTTP envelope) arrives as notifications/resources/updated
// (a note, a state key, a new chat room for chat://rooms), and
// after the client drops its GET stream and opens a new one, updates still arrive.
// Usage: node subscriptions.mjs http://127.0.0.1:5000/mcp   (exit code 0 when every check passed)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const url = new URL(process.argv[2] ?? "http://localhost:5000/mcp");
let failures = 0;
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : ` :: ${JSON.stringify(detail)}`}`);
  if (!ok) failures++;
}

const updates = [];
let waiter = null;
function nextUpdate(uri, ms = 15000) {
  const found = updates.findIndex((u) => u === uri);
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
}

async function envelope(body) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return response.json();
}

const client = new Client({ name: "mcpapi-subscriptions", version: "1.0.0" });
client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
  const uri = notification.params.uri;
  if (!(waiter && waiter(uri))) updates.push(uri);
});
const transport = new StreamableHTTPClientTransport(url);
await client.connect(transport);
check("the server advertises resources.subscribe", client.getServerCapabilities()?.resources?.subscribe === true, client.getServerCapabilities());

const notebook = `sub${Date.now()}`;
const noteUri = `notes://${notebook}/latest`;
const stateUri = `state://${notebook}/counter`;
await client.subscribeResource({ uri: noteUri });
await client.subscribeResource({ uri: stateUri });
await client.subscribeResource({ uri: "chat://rooms" });
// Give the GET stream a moment to be open before the first write (the SDK opens it after initialization).
await new Promise((resolve) => setTimeout(resolve, 500));

let waiting = nextUpdate(noteUri);
const added = await envelope({ model: "notes", action: "add", context: notebook, data: "from the envelope door" });
check("the envelope door adds a note", added.status === "success", added);
check("a note added over the envelope door arrives as notifications/resources/updated", (await waiting) === noteUri, updates);

waiting = nextUpdate(stateUri);
await envelope({ model: "state", action: "set", context: notebook, data: { key: "other", value: 1 } });
await envelope({ model: "state", action: "set", context: notebook, data: { key: "counter", value: 2 } });
check("a state write to the subscribed key arrives", (await waiting) === stateUri, updates);

waiting = nextUpdate("chat://rooms");
const room = `room${Date.now()}`;
await envelope({ model: "chat", action: "send", context: { user: "ana", room }, data: "the first message of a new room" });
check("a new room's first message (envelope door) updates chat://rooms", (await waiting) === "chat://rooms", updates);
const rooms = await client.readResource({ uri: "chat://rooms" });
check("chat://rooms then lists the new room", (rooms.contents?.[0]?.text ?? "").includes(`"room":"${room}"`), rooms);

// A client whose server-to-client stream drops gets it back: the stream carries event ids, and a new GET with
// Last-Event-ID is accepted and goes on delivering. (Raw HTTP here, so the test controls when the stream drops.)
const headers = { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" };
const init = await fetch(url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }) });
const session = init.headers.get("mcp-session-id");
await init.text();
const inSession = { ...headers, "mcp-session-id": session };
await (await fetch(url, { method: "POST", headers: inSession, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) })).text();
await (await fetch(url, { method: "POST", headers: inSession, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "resources/subscribe", params: { uri: noteUri } }) })).text();

async function openStream(lastEventId) {
  const response = await fetch(url, { method: "GET", headers: { Accept: "text/event-stream", "mcp-session-id": session,
    "mcp-protocol-version": "2025-11-25", ...(lastEventId ? { "last-event-id": lastEventId } : {}) } });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    status: response.status,
    text: () => text,
    async readUntil(needle, ms) {
      const deadline = Date.now() + ms;
      while (reader && !text.includes(needle) && Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r({ timeout: true }), Math.max(1, deadline - Date.now())))]);
        if (chunk.timeout || chunk.done) break;
        text += decoder.decode(chunk.value);
      }
      return text.includes(needle);
    },
    lastEventId: () => [...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1].trim()).pop(),
    close: () => reader?.cancel(),
  };
}

const first = await openStream();
check("the raw session's GET stream opens", first.status === 200, first.status);
await first.readUntil("\n\n", 2000); // the priming event
await envelope({ model: "notes", action: "add", context: notebook, data: "before the drop" });
check("the first stream delivers the update", await first.readUntil(noteUri, 15000), first.text());
const resumeFrom = first.lastEventId();
check("events carry ids to resume from", typeof resumeFrom === "string" && resumeFrom.length > 0, first.text());
await Promise.race([first.close(), new Promise((r) => setTimeout(r, 2000))]);

// The resumed stream may send its headers only with its first event, so the write goes out while the GET is pending.
const pending = openStream(resumeFrom);
await new Promise((resolve) => setTimeout(resolve, 1000));
await envelope({ model: "notes", action: "add", context: notebook, data: "after the reconnect" });
const second = await Promise.race([pending, new Promise((r) => setTimeout(() => r({ status: "no answer in 15 s", text: () => "", readUntil: async () => false, close: async () => {} }), 15000))]);
check("a new GET with Last-Event-ID is accepted after the stream dropped", second.status === 200, { status: second.status, body: second.text() });
check("after reopening the stream, the next update arrives on it", await second.readUntil(noteUri, 15000), second.text());
await Promise.race([second.close(), new Promise((r) => setTimeout(r, 2000))]);
await fetch(url, { method: "DELETE", headers: inSession });

await client.unsubscribeResource({ uri: noteUri });
await client.close();
console.log(failures === 0 ? "subscriptions: all checks passed" : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
