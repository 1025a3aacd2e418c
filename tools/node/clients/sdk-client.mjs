// A real MCP client nobody here wrote: the official TypeScript SDK over Streamable HTTP.
// Usage: node sdk-client.mjs http://127.0.0.1:5000/mcp   (exit code 0 when every check passed)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = new URL(process.argv[2] ?? "http://localhost:5000/mcp");
let failures = 0;
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : ` :: ${JSON.stringify(detail)}`}`);
  if (!ok) failures++;
}

async function attempt(name, action) {
  try {
    return await action();
  } catch (error) {
    check(name, false, String(error));
    return undefined;
  }
}

function sameJson(text, value) {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

const client = new Client({ name: "mcpapi-sdk-client", version: "1.0.0" });
const transport = new StreamableHTTPClientTransport(url);
await client.connect(transport);
check("connected with a session", typeof transport.sessionId === "string", transport.sessionId);

const { tools } = await client.listTools();
const names = tools.map((t) => t.name);
for (const name of ["add_note", "read_notes", "echo_echo", "chat_send", "move_play", "state_set", "notes_add"]) {
  check(`tools/list has ${name}`, names.includes(name), names);
}

const text = `sdk client note ${Date.now()}`;
const added = await client.callTool({ name: "add_note", arguments: { message: text } });
check("add_note succeeds", !added.isError && added.structuredContent?.status === "success", added);
const note = added.structuredContent?.data;
check("add_note returns {id, notebook, text, createdAt}",
  note && note.text === text && "id" in note && "notebook" in note && "createdAt" in note, note);

const read = await client.callTool({ name: "read_notes", arguments: {} });
const listed = read.structuredContent?.data?.notes ?? [];
check("read_notes lists the new note", !read.isError && listed.some((n) => n.text === text), read.structuredContent);
check("text content is the same JSON as structuredContent",
  read.content?.[0]?.type === "text" && sameJson(read.content[0].text, read.structuredContent), read.content);

const latest = (await attempt("read notes://latest", () => client.readResource({ uri: "notes://latest" }))) ?? {};
let latestNote = null;
try {
  latestNote = JSON.parse(latest.contents?.[0]?.text ?? "null");
} catch {
  latestNote = null;
}
check("notes://latest is the new note", latestNote?.text === text, latest);

const prompt = (await attempt("get note_summary_prompt", () => client.getPrompt({ name: "note_summary_prompt", arguments: {} }))) ?? {};
const promptText = prompt.messages?.[0]?.content?.text ?? "";
check("note_summary_prompt mentions the note", prompt.messages?.[0]?.role === "user" && promptText.includes(text), prompt);

const badChat = await client.callTool({ name: "chat_send", arguments: { context: { room: "lobby" }, data: { nope: true } } });
check("chat_send with bad data is isError with the envelope message",
  badChat.isError === true && typeof badChat.content?.[0]?.text === "string" && badChat.structuredContent?.status === "error", badChat);

const badMove = await client.callTool({ name: "move_play", arguments: { data: 42 } });
check("move_play with bad data is isError", badMove.isError === true && badMove.structuredContent?.status === "error", badMove);

await transport.terminateSession().catch(() => {});
await client.close();
console.log(failures === 0 ? "sdk client: all checks passed" : `sdk client: ${failures} checks failed`);
process.exit(failures === 0 ? 0 : 1);
