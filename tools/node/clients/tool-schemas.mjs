// What an AI client reads in tools/list, checked as a client would: every tool's input and output schema compiles
// under a JSON Schema 2020-12 validator (Ajv2020 with formats), every tool is called with its schema's examples, and
// every structuredContent (success or error) validates against the tool's outputSchema.
// Usage: node tool-schemas.mjs http://127.0.0.1:5000/mcp
//        node tool-schemas.mjs --stdio dotnet McpApi.dll --stdio   (the server inherits this process's environment)
// Exit code 0 when every check passed.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

let failures = 0;
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : ` :: ${JSON.stringify(detail)}`}`);
  if (!ok) failures++;
}

const args = process.argv.slice(2);
const transport = args[0] === "--stdio"
  ? new StdioClientTransport({ command: args[1], args: args.slice(2), env: process.env, stderr: "ignore" })
  : new StreamableHTTPClientTransport(new URL(args[0] ?? "http://localhost:5000/mcp"));
const client = new Client({ name: "mcpapi-tool-schemas", version: "1.0.0" });
await client.connect(transport);

const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);

const { tools } = await client.listTools();
const validators = new Map();
for (const tool of tools) {
  let input, output;
  try {
    input = ajv.compile(tool.inputSchema);
    check(`${tool.name}: inputSchema compiles (2020-12, strict)`, true);
  } catch (error) {
    check(`${tool.name}: inputSchema compiles (2020-12, strict)`, false, String(error));
  }
  check(`${tool.name}: has an outputSchema`, typeof tool.outputSchema === "object", tool.outputSchema);
  try {
    output = ajv.compile(tool.outputSchema ?? {});
  } catch (error) {
    check(`${tool.name}: outputSchema compiles (2020-12, strict)`, false, String(error));
  }
  const words = (tool.title ?? "").toLowerCase().split(/\W+/).filter(Boolean);
  check(`${tool.name}: has a title in words ("Send (chat)", not "chat send" or "echo echo")`, /^[A-Z]/.test(tool.title ?? "")
    && !tool.title.includes("_") && new Set(words).size === words.length, tool.title);
  validators.set(tool.name, { tool, input, output });
}

// The example arguments a tool's schema shows; each must pass the tool's own inputSchema.
function exampleArguments(tool) {
  const properties = tool.inputSchema.properties ?? {};
  const result = {};
  for (const key of ["context", "data"]) {
    if (properties[key]?.examples?.length) result[key] = properties[key].examples[0];
  }
  return result;
}

async function call(name, args, expectError = false) {
  const entry = validators.get(name);
  if (!entry) {
    check(`${name} is listed`, false, [...validators.keys()]);
    return undefined;
  }
  if (entry.input) {
    const valid = entry.input(args);
    check(`${name}: arguments ${JSON.stringify(args)} fit its inputSchema`, valid || expectError, entry.input.errors);
  }
  let result;
  try {
    result = await client.callTool({ name, arguments: args });
  } catch (error) {
    check(`${name}: call`, false, String(error));
    return undefined;
  }
  check(`${name}: ${expectError ? "is a tool error" : "succeeds"}`, (result.isError === true) === expectError, result.structuredContent ?? result.content);
  if (entry.output) {
    const valid = entry.output(result.structuredContent);
    check(`${name}: structuredContent fits its outputSchema`, valid, { errors: entry.output.errors, structured: result.structuredContent });
  }
  return result;
}

const game = `g${Date.now()}`;
// Every tool, in an order where each finds what it needs (a game to join, a key to read, a note to delete).
const plan = [
  ["echo_echo", exampleArguments(validators.get("echo_echo").tool)],
  ["notes_add", exampleArguments(validators.get("notes_add").tool)],
  ["add_note", { message: "a note from the schema check" }],
  ["notes_list", exampleArguments(validators.get("notes_list").tool)],
  ["read_notes", { limit: 1 }],
  ["notes_latest", exampleArguments(validators.get("notes_latest").tool)],
  ["notes_summary_prompt", exampleArguments(validators.get("notes_summary_prompt").tool)],
  ["notes_notebooks", exampleArguments(validators.get("notes_notebooks").tool)],
  ["chat_send", exampleArguments(validators.get("chat_send").tool)],
  ["chat_history", exampleArguments(validators.get("chat_history").tool)],
  ["chat_rooms", exampleArguments(validators.get("chat_rooms").tool)],
  ["state_set", { data: { key: `k${Date.now()}`, value: { any: ["json", 1, null] } } }],
  ["state_list", exampleArguments(validators.get("state_list").tool)],
  ["state_namespaces", exampleArguments(validators.get("state_namespaces").tool)],
  ["move_new", { data: { id: game } }],
  ["move_join", { context: { game, player: "ana" } }],
  ["move_join", { context: { game, player: "bob" } }],
  ["move_play", { context: { game, player: "ana" }, data: { cell: 4 } }],
  ["move_get", { context: { game } }],
  ["move_list", exampleArguments(validators.get("move_list").tool)],
];
const called = new Set();
for (const [name, args] of plan) {
  const result = await call(name, args);
  called.add(name);
  if (name === "state_set" && result?.structuredContent?.data?.key) {
    const key = result.structuredContent.data.key;
    await call("state_get", { data: { key } });
    await call("state_delete", { data: { key } });
    called.add("state_get").add("state_delete");
  }
  if (name === "notes_add" && result?.structuredContent?.data?.id) {
    await call("notes_delete", { data: { id: result.structuredContent.data.id } });
    called.add("notes_delete");
  }
}
for (const name of validators.keys()) {
  check(`${name} was called`, called.has(name), [...called]);
}

// Errors fit the outputSchema too, and say what to do in tool terms.
await call("state_get", { context: { user: "ana" }, data: { key: "x" } }, true);
await call("chat_send", { data: "no sender" }, true);
const missing = await call("move_get", { context: { game: `${game}-missing` } }, true);
const text = missing?.content?.[0]?.text ?? "";
check("a missing game's error names the tool to call", text.includes("`move_new`") && !text.includes('"model"'), text);
await call("add_note", {}, true);

await client.close();
console.log(failures === 0 ? "all checks passed" : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
