// Fan-out harness: N subscribers on one topic, one publisher sending M messages with up to K outstanding,
// all in this one Node process. Against McpApi (subscribers on WebSocket, TCP or SSE; the publisher sends
// `chat send` over its own WebSocket, so every message is durable) or against Redis pub/sub (ioredis clients,
// PUBLISH of the same JSON event). Prints one RESULT line:
//   RESULT target=.. door=.. subscribers=N messages=M publisher_msgs_per_s=.. deliveries_per_s=.. p50_ms=.. p99_ms=.. missing=..
// Latency is from the publisher's send to a subscriber's receipt (one clock: one process).
// Mode "idle" opens N subscribers, prints READY and waits for SIGTERM (run.sh measures the server's memory meanwhile).
// Usage: node fanout.mjs --target mcpapi|redis [--door ws|tcp|sse] [--subscribers 200] [--messages 2000]
//        [--outstanding 32] [--host 127.0.0.1] [--port P] [--tcp-port P] [--mode fanout|idle|publish]
import net from 'node:net';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
const target = args.target ?? 'mcpapi';
const door = args.door ?? 'ws';
const subscribers = Number(args.subscribers ?? 200);
const messages = Number(args.messages ?? 2000);
const outstanding = Number(args.outstanding ?? 32);
const host = args.host ?? '127.0.0.1';
const port = Number(args.port);
const tcpPort = Number(args['tcp-port']);
const mode = args.mode ?? 'fanout';
const room = `fanout${process.pid}`;
const topic = `chat:${room}`;
const marker = 'fanout|';
const now = () => performance.timeOrigin + performance.now();
const deadlineMs = Number(args['timeout-s'] ?? 120) * 1000;

let received = 0;
let cut = 0;                // subscribers the server disconnected for falling behind (event_queue_overflow)
const seen = [];            // one Uint8Array(messages) per subscriber
const latencies = new Float64Array(Math.max(1, subscribers * messages));
let latencyCount = 0;
let lastDelivery = 0;
let allDone = () => {};
const done = new Promise((resolve) => { allDone = resolve; });

/** Counts every marker in a block of text received by subscriber s. */
function scan(s, text) {
  if (text.includes('event_queue_overflow')) cut++;
  let at = 0;
  const t = now();
  while ((at = text.indexOf(marker, at)) >= 0) {
    const bar1 = at + marker.length;
    const bar2 = text.indexOf('|', bar1);
    const bar3 = text.indexOf('|', bar2 + 1);
    at = bar3 + 1;
    const n = Number(text.slice(bar1, bar2));
    const sent = Number(text.slice(bar2 + 1, bar3));
    if (seen[s][n]) continue;
    seen[s][n] = 1;
    received++;
    latencies[latencyCount++] = t - sent;
  }
  lastDelivery = t;
  if (received === subscribers * messages) allDone();
}

function fail(message) { console.error(message); process.exit(2); }

// ---- McpApi subscribers -------------------------------------------------------------------------------
const subscribe = JSON.stringify({ model: 'subscribe', data: { topics: [topic] } });

function wsSubscriber(s) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${host}:${port}/mcp/ws`);
    let ready = false;
    socket.onopen = () => socket.send(subscribe);
    socket.onerror = (e) => (ready ? fail(`subscriber ${s}: ${e.message ?? 'error'}`) : reject(new Error(`ws ${s} failed`)));
    socket.onmessage = (m) => {
      if (!ready) { ready = true; resolve(socket); return; }
      scan(s, m.data);
    };
  });
}

function tcpSubscriber(s) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(tcpPort, host, () => socket.write(subscribe + '\n'));
    socket.setEncoding('utf8');
    let ready = false;
    let rest = '';
    socket.on('error', (e) => (ready ? fail(`subscriber ${s}: ${e.message}`) : reject(e)));
    socket.on('data', (chunk) => {
      rest += chunk;
      const end = rest.lastIndexOf('\n');
      if (end < 0) return;
      const block = rest.slice(0, end);
      rest = rest.slice(end + 1);
      if (!ready) { ready = true; resolve(socket); }
      scan(s, block);
    });
  });
}

function sseSubscriber(s) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: `/mcp/events?topics=${encodeURIComponent(topic)}`, agent: false,
      headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) { reject(new Error(`sse ${s}: HTTP ${response.statusCode}`)); return; }
      response.setEncoding('utf8');
      let ready = false;
      let rest = '';
      response.on('data', (chunk) => {
        rest += chunk;
        const end = rest.lastIndexOf('\n\n');
        if (end < 0) return;
        const block = rest.slice(0, end);
        rest = rest.slice(end + 2);
        if (!ready && block.includes('event: ready')) { ready = true; resolve(request); }
        scan(s, block);
      });
      response.on('error', (e) => fail(`subscriber ${s}: ${e.message}`));
    });
    request.on('error', reject);
  });
}

// ---- McpApi publisher: chat send over one WebSocket, up to `outstanding` envelopes in flight ----------
function mcpapiPublisher() {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${host}:${port}/mcp/ws`);
    let next = 0, replies = 0, errors = 0, started = 0;
    const send = () => {
      const n = next++;
      socket.send(JSON.stringify({ id: n, model: 'chat', action: 'send', context: { user: 'bench', room },
        data: { text: `${marker}${n}|${now()}|` } }));
    };
    socket.onerror = () => reject(new Error('publisher failed'));
    socket.onopen = () => {
      started = now();
      while (next < Math.min(outstanding, messages)) send();
    };
    socket.onmessage = (m) => {
      replies++;
      if (!m.data.startsWith('{"id"') || !m.data.includes('"status":"success"')) {
        if (errors++ < 3) console.error(`publisher: ${m.data.slice(0, 300)}`);
      }
      if (next < messages) send();
      if (replies === messages) { const elapsed = now() - started; socket.close(); resolve({ elapsed, errors }); }
    };
  });
}

// ---- Redis ----------------------------------------------------------------------------------------------
let Redis;
async function redisClient() {
  Redis ??= (await import('ioredis')).default;
  const client = new Redis({ host, port, lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: 0 });
  await client.connect();
  return client;
}

async function redisSubscriber(s) {
  const client = await redisClient();
  client.on('message', (_, text) => scan(s, text));
  await client.subscribe(topic);
  return client;
}

async function redisPublisher() {
  const client = await redisClient();
  let next = 0;
  const started = now();
  const publishOne = async () => {
    while (next < messages) {
      const n = next++;
      const at = new Date().toISOString();
      // The same shape and size as McpApi's chat.message event.
      await client.publish(topic, JSON.stringify({ status: 'event', message: 'chat.message', topic, cursor: n, at,
        data: { id: n, room, user: 'bench', text: `${marker}${n}|${now()}|`, sentAt: at } }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(outstanding, messages) }, publishOne));
  const elapsed = now() - started;
  client.disconnect();
  return { elapsed, errors: 0 };
}

// ---- run ---------------------------------------------------------------------------------------------
const open = target === 'redis' ? redisSubscriber : { ws: wsSubscriber, tcp: tcpSubscriber, sse: sseSubscriber }[door];
if (!open) fail(`unknown door ${door}`);
const clients = [];
for (let s = 0; s < subscribers; s++) {
  seen.push(new Uint8Array(messages));
  clients.push(await open(s));   // one at a time: the server's per-client limits count open connections
}

if (mode === 'idle') {
  console.log(`READY ${subscribers}`);
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 1 << 30);
} else {
  const timer = setTimeout(allDone, deadlineMs);
  const publishStart = now();
  const publisher = await (target === 'redis' ? redisPublisher() : mcpapiPublisher());
  if (subscribers > 0) {
    // Wait for the last deliveries: all arrived, or nothing new for 5 s.
    const idle = setInterval(() => { if (now() - Math.max(lastDelivery, publishStart + publisher.elapsed) > 5000) allDone(); }, 500);
    await done;
    clearInterval(idle);
  }
  clearTimeout(timer);
  const sorted = latencies.subarray(0, latencyCount).sort();
  const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1) : 'n/a');
  const expected = subscribers * messages;
  const elapsedS = Math.max(publisher.elapsed, subscribers > 0 ? lastDelivery - publishStart : 0) / 1000;
  console.log(`RESULT target=${target} door=${target === 'redis' ? 'redis' : door} subscribers=${subscribers} messages=${messages}`
    + ` publisher_msgs_per_s=${Math.round(messages / (publisher.elapsed / 1000))}`
    + ` deliveries_per_s=${subscribers > 0 ? Math.round(received / elapsedS) : 0}`
    + ` p50_ms=${pct(0.5)} p99_ms=${pct(0.99)} missing=${expected - received} cut=${cut} publish_errors=${publisher.errors}`);
  for (const c of clients) (c.close ?? c.destroy ?? c.disconnect).call(c);
  process.exit(0);
}
