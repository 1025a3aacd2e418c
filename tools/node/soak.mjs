// Soak driver: mixed HTTP, WebSocket, TCP and SSE traffic against a running McpApi at a fixed rate for a given time,
// then reads back every acknowledged write and checks that every subscriber saw every chat event.
// Run by bench/soak.sh (which starts the published server on free loopback ports); Node 22 (built-in WebSocket, fetch).
//
//   node soak.mjs --http http://127.0.0.1:PORT --tcp PORT --pid SERVER_PID [--seconds 60] [--rate 100]
//                 [--warmup 20] [--rss-slope-limit 5] [--rss-growth-floor 16] [--json summary.json]
//
// Prints its figures, then one last line "soak: PASS" or "soak: FAIL (reasons)"; exits 1 on FAIL.
// Bar: 0 server errors (5xx or error replies: every request it sends is valid), 0 dropped connections,
// 0 lost acknowledged writes, 0 missed events, RSS flat after warm-up: a slope above --rss-slope-limit MB/min counts
// as growth only when RSS also rose by more than --rss-growth-floor MB after warm-up (the GC and SQLite's page cache grow
// in steps of a few MB, which a one-minute fit reads as a slope; a leak at the limit passes the floor within minutes).
import net from "node:net";
import fs from "node:fs";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    http: { type: "string" },
    tcp: { type: "string" },
    pid: { type: "string" },
    seconds: { type: "string", default: "60" },
    rate: { type: "string", default: "100" },
    warmup: { type: "string" },
    "rss-slope-limit": { type: "string", default: "5" },
    "rss-growth-floor": { type: "string", default: "16" },
    "rss-every": { type: "string", default: "2" },
    json: { type: "string" },
  },
});
if (!opts.http || !opts.tcp || !opts.pid) {
  console.error("usage: soak.mjs --http URL --tcp PORT --pid SERVER_PID [--seconds 60] [--rate 100] [--warmup S] [--rss-slope-limit MB/min]");
  process.exit(2);
}
const base = opts.http.replace(/\/$/, "");
const tcpPort = Number(opts.tcp);
const pid = Number(opts.pid);
const seconds = Number(opts.seconds);
const rate = Number(opts.rate);
// Warm-up: JIT tiers and GC heap sizing settle first. Half of a short run, a quarter of a long one (at most 5 minutes).
const warmup = opts.warmup !== undefined ? Number(opts.warmup) : seconds <= 120 ? seconds / 2 : Math.min(300, seconds / 4);
const slopeLimit = Number(opts["rss-slope-limit"]);
const growthFloor = Number(opts["rss-growth-floor"]);
const run = Date.now().toString(36);
const room = `soak-${run}`, notebook = `soak-${run}`, namespace = `soak-${run}`;
const topic = `chat:${room}`;

// ---- bookkeeping ----
const latencies = { http: [], ws: [], tcp: [] };
const counts = { sent: 0, ok: 0, serverErrors: 0, otherErrors: 0, late: 0 };
const errorSamples = [];
const acked = { chat: new Map(), notes: new Map(), state: new Map() }; // id/key -> text/version
const drops = [];
let inFlight = 0;
const maxInFlight = 2000;

function record(door, started, reply, httpStatus) {
  latencies[door].push(performance.now() - started);
  const status = httpStatus ?? (reply?.status === "success" ? 200 : reply?.data?.code === "internal_error" || reply?.data?.code === "storage_unavailable" ? 500 : 400);
  if (reply?.status === "success" && status < 400) { counts.ok++; return true; }
  if (status >= 500) counts.serverErrors++; else counts.otherErrors++;
  if (errorSamples.length < 5) errorSamples.push(`${door} ${status} ${JSON.stringify(reply).slice(0, 200)}`);
  return false;
}

function fail(door, started, error) {
  latencies[door].push(performance.now() - started);
  counts.serverErrors++;
  if (errorSamples.length < 5) errorSamples.push(`${door} ${error}`);
}

// ---- HTTP ----
async function http(envelope) {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(envelope) });
    const reply = await response.json();
    return record("http", started, reply, response.status) ? reply : null;
  } catch (error) {
    fail("http", started, error.cause?.code ?? error.message);
    return null;
  }
}

// ---- WebSocket: a connection with request ids; optionally a subscriber ----
function openWs(name, onEvent) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base.replace(/^http/, "ws")}/mcp/ws`);
    const pending = new Map();
    let next = 1, closing = false;
    socket.onmessage = (message) => {
      const reply = JSON.parse(message.data);
      if (reply.status === "event") return onEvent?.(reply);
      const waiter = pending.get(reply.id);
      if (waiter) { pending.delete(reply.id); waiter(reply); }
    };
    socket.onclose = (e) => { if (!closing) drops.push(`${name} closed ${e.code} ${e.reason}`); for (const w of pending.values()) w(null); };
    socket.onerror = () => reject(new Error(`${name} could not connect`));
    socket.onopen = () => resolve({
      name,
      send(envelope) {
        const id = next++;
        return new Promise((done) => { pending.set(id, done); socket.send(JSON.stringify({ id, ...envelope })); });
      },
      close() { closing = true; socket.close(1000); },
    });
  });
}

// ---- TCP: one envelope per line, replies matched by id ----
function openTcp(name, onEvent) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(tcpPort, "127.0.0.1");
    const pending = new Map();
    let next = 1, closing = false, buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.trim()) continue;
        const reply = JSON.parse(line);
        if (reply.status === "event") { onEvent?.(reply); continue; }
        const waiter = pending.get(reply.id);
        if (waiter) { pending.delete(reply.id); waiter(reply); }
      }
    });
    socket.on("close", () => { if (!closing) drops.push(`${name} closed`); for (const w of pending.values()) w(null); });
    socket.on("error", (e) => { if (!closing) reject(e); });
    socket.on("connect", () => resolve({
      name,
      send(envelope) {
        const id = next++;
        return new Promise((done) => { pending.set(id, done); socket.write(JSON.stringify({ id, ...envelope }) + "\n"); });
      },
      close() { closing = true; socket.end(); },
    }));
  });
}

// ---- SSE subscriber ----
async function openSse(name, onEvent) {
  const controller = new AbortController();
  const response = await fetch(`${base}/mcp/events?topics=${encodeURIComponent(topic)}`, { signal: controller.signal, headers: { accept: "text/event-stream" } });
  if (response.status !== 200) throw new Error(`${name}: ${response.status}`);
  let closing = false;
  let ready;
  const isReady = new Promise((r) => (ready = r));
  (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1];
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.replace(/^data: ?/, "")).join("\n");
          if (event === "ready") ready();
          else if (event === "closed") drops.push(`${name} closed by server: ${data}`);
          else if (event === "chat.message") onEvent(JSON.parse(data));
        }
      }
      if (!closing) drops.push(`${name} stream ended`);
    } catch (error) {
      if (!closing) drops.push(`${name} ${error.message}`);
    }
  })();
  await isReady;
  return { name, close() { closing = true; controller.abort(); } };
}

// ---- RSS ----
const rss = []; // [seconds since start, MB]
const t0 = performance.now();
function sampleRss() {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
    rss.push([(performance.now() - t0) / 1000, kb / 1024]);
  } catch { /* the server is gone: the requests will say so */ }
}

function slope(points) { // least squares, MB per minute
  const n = points.length;
  if (n < 3) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n, my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxy = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0), sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}

function percentile(sorted, p) { return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0; }

// ---- the run ----
const subscribers = [];
function subscriber(name) { const seen = new Set(); subscribers.push({ name, seen }); return (event) => { if (event.topic === topic || event.data?.room === room) seen.add(event.data.id); }; }

const wsSubs = [], tcpSubs = [], sseSubs = [];
for (let i = 1; i <= 2; i++) {
  const ws = await openWs(`ws-subscriber-${i}`, subscriber(`ws-subscriber-${i}`));
  await ws.send({ model: "subscribe", data: { topics: [topic] } });
  wsSubs.push(ws);
  const tcp = await openTcp(`tcp-subscriber-${i}`, subscriber(`tcp-subscriber-${i}`));
  await tcp.send({ model: "subscribe", data: { topics: [topic] } });
  tcpSubs.push(tcp);
  sseSubs.push(await openSse(`sse-subscriber-${i}`, subscriber(`sse-subscriber-${i}`)));
}
// Writers on the socket doors stay far under the per-connection limit (McpApi:Realtime:MessagesPerSecond 50, burst 100),
// at 5 messages/s each, so that even a server stalled for seconds by a loaded machine does not see a burst over the limit.
const socketWriters = Math.max(1, Math.ceil((rate * 0.2) / 5));
const wsWriters = [], tcpWriters = [];
for (let i = 1; i <= socketWriters; i++) {
  wsWriters.push(await openWs(`ws-writer-${i}`));
  tcpWriters.push(await openTcp(`tcp-writer-${i}`));
}

let seq = 0;
async function socketRequest(door, connection, envelope, { missingIsFine = false } = {}) {
  const started = performance.now();
  const reply = await connection.send(envelope);
  if (reply === null) { fail(door, started, `${connection.name} closed before replying`); return null; }
  if (missingIsFine && reply.data?.code === "state_not_found") { latencies[door].push(performance.now() - started); counts.ok++; return null; }
  return record(door, started, reply) ? reply : null;
}

function operation(n) {
  const text = `m${n}`;
  const chat = { model: "chat", action: "send", context: { user: "soak", room }, data: text };
  const note = { model: "notes", action: "add", context: notebook, data: `n${n}` };
  const state = { model: "state", action: "set", context: namespace, data: { key: `k${n}`, value: n } };
  const ws = wsWriters[n % wsWriters.length], tcp = tcpWriters[n % tcpWriters.length];
  const echo = { model: "echo", context: "soak", data: { n } };
  // Half writes, half reads and echoes; 60% over HTTP, 20% WebSocket, 20% TCP.
  switch (n % 10) {
    case 0: return http(chat).then((r) => r && acked.chat.set(r.data.id, text));
    case 1: return http(note).then((r) => r && acked.notes.set(r.data.id, note.data));
    case 2: return http(state).then((r) => r && acked.state.set(state.data.key, r.data.version));
    case 3: return http(echo);
    case 4: return http({ model: "chat", action: "history", context: { user: "soak", room }, data: { limit: 20 } });
    case 5: return http({ model: "notes", action: "latest", context: notebook });
    case 6: return socketRequest("ws", ws, chat).then((r) => r && acked.chat.set(r.data.id, text));
    case 7: return socketRequest("ws", ws, echo);
    case 8: return socketRequest("tcp", tcp, note).then((r) => r && acked.notes.set(r.data.id, note.data));
    default: return socketRequest("tcp", tcp, { model: "state", action: "get", context: namespace, data: { key: `k${n - 7}` } }, { missingIsFine: true });
  }
}

console.log(`soak: ${seconds} s at ${rate} requests/s (half writes; HTTP 60%, WebSocket 20%, TCP 20%; ${2 * 3} subscribers on ${topic} over WebSocket, TCP and SSE), RSS every ${opts["rss-every"]} s, warm-up ${warmup} s`);
sampleRss();
const rssTimer = setInterval(sampleRss, Number(opts["rss-every"]) * 1000);
const progressTimer = setInterval(() => {
  const now = rss.at(-1);
  console.log(`  ${Math.round((performance.now() - t0) / 1000)} s: ${counts.sent} sent, ${counts.ok} ok, ${counts.serverErrors} server errors, in flight ${inFlight}, RSS ${now ? now[1].toFixed(1) : "?"} MB`);
}, Math.max(10, Math.round(seconds / 6)) * 1000);

const all = [];
await new Promise((done) => {
  const start = performance.now();
  const timer = setInterval(() => {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) { clearInterval(timer); done(); return; }
    const due = Math.floor(elapsed * rate);
    while (counts.sent + counts.late < due) {
      if (inFlight >= maxInFlight) { counts.late++; continue; } // the server fell this far behind: counted, not queued
      counts.sent++;
      inFlight++;
      const p = operation(seq++).finally(() => inFlight--);
      all.push(p);
    }
  }, 5);
});
await Promise.race([Promise.allSettled(all), new Promise((r) => setTimeout(r, 30000))]);
clearInterval(progressTimer);
sampleRss();
clearInterval(rssTimer);

// Events of the last writes may still be on their way.
const chatIds = [...acked.chat.keys()];
const deadline = performance.now() + 10000;
while (performance.now() < deadline && subscribers.some((s) => chatIds.some((id) => !s.seen.has(id)))) await new Promise((r) => setTimeout(r, 100));

// ---- read back every acknowledged write ----
async function readAll(envelope, items, cursor) {
  const found = [];
  let after = null;
  for (;;) {
    const r = await fetch(`${base}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(envelope(after)) });
    const body = await r.json();
    if (r.status !== 200) throw new Error(`read-back failed: ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
    const page = items(body.data);
    found.push(...page);
    after = cursor(body.data, page);
    if (after === null || after === undefined || page.length === 0) return found;
  }
}
const storedNotes = new Map((await readAll((after) => ({ model: "notes", action: "list", context: notebook, data: after === null ? { limit: 500 } : { limit: 500, after } }),
  (d) => d.notes, (d) => d.nextAfter)).map((n) => [n.id, n.text]));
const storedChat = new Map((await readAll((after) => ({ model: "chat", action: "history", context: { user: "soak", room }, data: { limit: 500, after: after ?? 0 } }),
  (d) => d.messages, (d, page) => (page.length ? page.at(-1).id : null))).map((m) => [m.id, m.text]));
const storedState = new Map((await readAll((after) => ({ model: "state", action: "list", context: namespace, data: after === null ? { limit: 500 } : { limit: 500, after } }),
  (d) => d.keys, (d) => d.nextAfter)).map((k) => [k.key, k.version]));
const lost = { notes: 0, chat: 0, state: 0 };
for (const [id, text] of acked.notes) if (storedNotes.get(id) !== text) lost.notes++;
for (const [id, text] of acked.chat) if (storedChat.get(id) !== text) lost.chat++;
for (const [key, version] of acked.state) if (!(storedState.get(key) >= version)) lost.state++;
const lostTotal = lost.notes + lost.chat + lost.state;
const ackedTotal = acked.notes.size + acked.chat.size + acked.state.size;

const missed = subscribers.map((s) => ({ name: s.name, missed: chatIds.filter((id) => !s.seen.has(id)).length, received: s.seen.size }));
const missedTotal = missed.reduce((s, m) => s + m.missed, 0);

for (const c of [...wsSubs, ...tcpSubs, ...sseSubs, ...wsWriters, ...tcpWriters]) c.close();

// ---- report ----
const everyLatency = [...latencies.http, ...latencies.ws, ...latencies.tcp].sort((a, b) => a - b);
const perDoor = Object.fromEntries(Object.entries(latencies).map(([door, l]) => { const s = [...l].sort((a, b) => a - b); return [door, { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99) }]; }));
const afterWarmup = rss.filter(([t]) => t >= warmup);
const rssSlope = slope(afterWarmup);
const rssStart = afterWarmup[0]?.[1] ?? 0, rssEnd = rss.at(-1)?.[1] ?? 0, rssMax = Math.max(...rss.map((p) => p[1]));
const rssGrowth = Math.max(0, ...afterWarmup.map((p) => p[1])) - rssStart;
const actualRate = counts.sent / seconds;

const failures = [];
if (counts.serverErrors) failures.push(`${counts.serverErrors} server errors (5xx, failed or unanswered requests)`);
if (counts.otherErrors) failures.push(`${counts.otherErrors} error replies to valid requests`);
if (drops.length) failures.push(`${drops.length} dropped connections`);
if (lostTotal) failures.push(`${lostTotal} lost acknowledged writes`);
if (missedTotal) failures.push(`${missedTotal} missed events`);
if (counts.late) failures.push(`${counts.late} requests not sent on time (more than ${maxInFlight} in flight)`);
if (afterWarmup.length < 3) failures.push(`too few RSS samples after the ${warmup} s warm-up to judge the slope`);
else if (rssSlope > slopeLimit && rssGrowth > growthFloor)
  failures.push(`RSS grows ${rssSlope.toFixed(2)} MB/min after warm-up (limit ${slopeLimit}), ${rssGrowth.toFixed(1)} MB in all (floor ${growthFloor})`);

const f = (x) => x.toFixed(2);
console.log(`soak requests: ${counts.sent} sent (${actualRate.toFixed(1)}/s), ${counts.ok} ok, ${counts.serverErrors} server errors (5xx), ${counts.otherErrors} other errors, ${counts.late} late, ${drops.length} dropped connections`);
console.log(`soak latency ms: all p50 ${f(percentile(everyLatency, 50))} p99 ${f(percentile(everyLatency, 99))}; ` +
  Object.entries(perDoor).map(([d, v]) => `${d} (${v.n}) p50 ${f(v.p50)} p99 ${f(v.p99)}`).join("; "));
console.log(`soak writes: ${ackedTotal} acknowledged (chat ${acked.chat.size}, notes ${acked.notes.size}, state ${acked.state.size}), ${lostTotal} lost after read-back`);
console.log(`soak events: ${chatIds.length} chat messages to each of ${subscribers.length} subscribers; missed: ${missed.map((m) => `${m.name} ${m.missed}`).join(", ")}`);
console.log(`soak RSS MB: ${rss.map(([t, mb]) => `${Math.round(t)}s=${mb.toFixed(1)}`).join(" ")}`);
console.log(`soak RSS: start ${f(rss[0]?.[1] ?? 0)} MB, after warm-up ${f(rssStart)} MB, end ${f(rssEnd)} MB, max ${f(rssMax)} MB; slope after ${warmup} s warm-up ${f(rssSlope)} MB/min (limit ${slopeLimit}), growth ${f(rssGrowth)} MB (floor ${growthFloor})`);
for (const sample of errorSamples) console.log(`  error sample: ${sample}`);
for (const drop of drops.slice(0, 5)) console.log(`  dropped: ${drop}`);
if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ seconds, rate, actualRate, counts, drops, lost, ackedTotal, missed, perDoor, rss, rssSlope, warmup, failures }, null, 2));
console.log(failures.length ? `soak: FAIL (${failures.join("; ")})` : "soak: PASS");
process.exit(failures.length ? 1 : 0);
