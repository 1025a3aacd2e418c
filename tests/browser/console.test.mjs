// Browser test of the live web console and the Swagger UI, in headless Debian Chromium.
//   node console.test.mjs http://127.0.0.1:5000
// Two tabs chat (history on load, live messages, readable events) and play three games of tic-tac-toe in a row;
// errors read as sentences; the page fits a 390 px phone (screenshot checked for horizontal overflow); a socket the
// server refuses says why; Swagger UI runs the echo example and documents its success envelope.
// Opened by a second host name the server allows (argument 2, e.g. console.test), the console and Swagger UI work too.
// Prints one line per check; exits non-zero on the first failure (screenshots in $TMPDIR, never in the repo).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:5000';
// Optional: a host name the server accepts (AllowedHosts) besides loopback, e.g. console.test, to open it by that name.
const byName = process.argv[3];
const timeout = 10_000;
// console.test is this machine: the refused-socket check opens the console by that name through a proxy.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--host-resolver-rules=MAP console.test 127.0.0.1'],
});
let current = null;
const failedLoads = [];

async function step(name, action) {
  try {
    await action();
    console.log(`ok - ${name}`);
  } catch (error) {
    console.log(`not ok - ${name}: ${error.message}`);
    if (current) {
      const file = path.join(os.tmpdir(), `mcpapi-browser-${Date.now()}.png`);
      await current.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`# screenshot: ${file}`);
    }
    throw error;
  }
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

function postEnvelope(envelope) {
  return execFileSync('curl', ['-fsS', '-H', 'Content-Type: application/json', '-d', JSON.stringify(envelope), `${base}/mcp`],
    { timeout: 10000, encoding: 'utf8' });
}

async function openConsole(context, url = `${base}/`) {
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (error) => console.log(`# page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'fetch') {
      failedLoads.push(`${response.status()} ${response.url()}`);
    }
  });
  await page.goto(url);
  return page;
}

// A naive reverse proxy that rewrites Host to the server's own, as a misconfigured one in front of a server does.
function startHostRewritingProxy(target) {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
      headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  server.on('upgrade', (req, socket, head) => {
    const forward = net.connect(Number(upstream.port), upstream.hostname, () => {
      const headers = Object.entries({ ...req.headers, host: upstream.host }).map(([k, v]) => `${k}: ${v}`);
      forward.write([`${req.method} ${req.url} HTTP/1.1`, ...headers, '', ''].join('\r\n'));
      forward.write(head);
      forward.pipe(socket);
      socket.pipe(forward);
    });
    forward.on('error', () => socket.destroy());
    socket.on('error', () => forward.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

try {
  const context = await browser.newContext();
  const before = `said before the tabs opened ${Date.now()}`;
  postEnvelope({ model: 'chat', context: { user: 'early', room: 'lobby' }, data: before });
  const ana = await openConsole(context);
  const bo = await openConsole(context);

  await step('both tabs open the console and connect over WebSocket', async () => {
    current = ana;
    await ana.locator('#status.connected').waitFor();
    await bo.locator('#status.connected').waitFor();
    await ana.locator('#model option', { hasText: 'chat' }).first().waitFor({ state: 'attached' });
  });

  await step('the lobby\'s chat history shows on load, without pressing Join room', async () => {
    for (const page of [ana, bo]) {
      current = page;
      await page.locator('#chat-messages li', { hasText: before }).waitFor();
    }
  });

  await step('the page has a favicon and every file it loads is found', async () => {
    current = ana;
    const icon = await ana.locator('link[rel="icon"]').getAttribute('href');
    const response = await ana.request.get(new URL(icon, `${base}/`).toString());
    check(response.ok(), `favicon ${icon} answered ${response.status()}`);
    check(response.headers()['content-type'].startsWith('image/'), `favicon is ${response.headers()['content-type']}`);
    check(failedLoads.length === 0, `failed loads: ${failedLoads.join(', ')}`);
  });

  const room = `room${Date.now()}`;
  await step('a chat message sent in one tab appears in the other', async () => {
    for (const [page, user] of [[ana, 'ana'], [bo, 'bo']]) {
      await page.fill('#chat-user', user);
      await page.fill('#chat-room', room);
      await page.click('#chat-join');
      await page.locator('#subscribed', { hasText: `chat:${room}` }).waitFor();
    }
    await ana.fill('#chat-text', 'hello from tab A');
    await ana.click('#chat-send');
    current = bo;
    await bo.locator('#chat-messages li', { hasText: 'hello from tab A' }).waitFor();
  });

  await step('events read as words (who said what), with the raw JSON one click away', async () => {
    current = bo;
    const event = bo.locator('#events li', { hasText: 'ana: hello from tab A' }).first();
    await event.waitFor();
    check((await event.locator('.topic').textContent()) === `chat:${room}`, 'the event names its topic');
    await event.locator('summary').click();
    check((await event.locator('pre').textContent()).includes('"message": "chat.message"'), 'the raw event is shown on demand');
  });

  await step('a chat message posted with curl appears in both tabs at once', async () => {
    postEnvelope({ model: 'chat', context: { user: 'curl', room }, data: 'hello from curl' });
    for (const page of [ana, bo]) {
      current = page;
      await page.locator('#chat-messages li', { hasText: 'hello from curl' }).waitFor();
    }
  });

  await step('three games in a row: New game gets a fresh id each time, the other tab joins, X wins', async () => {
    await ana.fill('#game-player', 'ana');
    await bo.fill('#game-player', 'bo');
    const ids = [];
    for (let round = 1; round <= 3; round++) {
      current = ana;
      const previous = await ana.inputValue('#game-id');
      await ana.click('#game-new');
      await ana.waitForFunction((before) => document.getElementById('game-id').value !== before, previous);
      const id = await ana.inputValue('#game-id');
      check(/^g-[0-9a-f]+$/.test(id) && !ids.includes(id), `round ${round}: New game gave id '${id}' after ${ids.join(', ')}`);
      await ana.locator('#game-status', { hasText: `${id}: waiting for players.` }).filter({ hasText: 'You are X' }).waitFor();
      ids.push(id);
      current = bo;
      await bo.click('#games-refresh');
      await bo.locator('#open-games button', { hasText: id }).click();
      await bo.locator('#game-status', { hasText: 'You are O' }).waitFor();
      for (const [page, cell] of [[ana, 0], [bo, 3], [ana, 1], [bo, 4], [ana, 2]]) {
        current = page;
        await page.click(`#board button[data-cell="${cell}"]`);
      }
      for (const page of [ana, bo]) {
        current = page;
        await page.locator('#game-status', { hasText: `${id}: X (ana) won!` }).waitFor();
        check((await page.locator('#board button').allTextContents()).join('') === 'XXXOO', `round ${round}: the board shows the game`);
      }
    }
  });

  await step('errors read as the server words them, not as raw JSON', async () => {
    current = bo;
    await bo.fill('#game-id', 'no-such-game');
    await bo.click('#game-join');
    const status = bo.locator('#game-status.error');
    await status.waitFor();
    const text = await status.textContent();
    check(text.startsWith('There is no game') && !text.includes('"status"'), `game error: ${text}`);
    await bo.fill('#envelope', '{"model": "chat",');
    await bo.click('#send');
    const reply = bo.locator('#replies div .error').first();
    await reply.waitFor();
    check((await reply.textContent()).includes('not valid JSON'), `envelope error: ${await reply.textContent()}`);
  });

  await step('the envelope panel sends the echo example and shows the reply', async () => {
    current = ana;
    await ana.selectOption('#model', 'echo');
    await ana.click('#send');
    await ana.locator('#replies div .ok', { hasText: 'MCP request processed successfully' }).first().waitFor();
  });

  await step('at 390 px (a phone) nothing is wider than the screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await openConsole(phone);
    current = page;
    await page.locator('#status.connected').waitFor();
    await page.locator('#chat-messages li').first().waitFor();
    const file = path.join(os.tmpdir(), `mcpapi-console-390px-${Date.now()}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`# screenshot (390 px): ${file}`);
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length > 0)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}`);
      return { width, scrollWidth: document.documentElement.scrollWidth, wide };
    });
    check(overflow.scrollWidth <= overflow.width && overflow.wide.length === 0,
      `page ${overflow.scrollWidth} px wide on a ${overflow.width} px screen; too wide: ${overflow.wide.join(', ')}`);
    await phone.close();
  });

  await step('a WebSocket the server refuses shows why (a proxy that rewrites Host)', async () => {
    const proxy = await startHostRewritingProxy(base);
    try {
      const foreign = await browser.newContext();
      const page = await openConsole(foreign, `http://console.test:${proxy.address().port}/`);
      current = page;
      const notice = page.locator('#notice', { hasText: 'Mcp:AllowedOrigins' });
      await notice.waitFor();
      const text = await notice.textContent();
      check(text.includes('refused') && text.includes('http://console.test'), `notice: ${text}`);
      check((await page.locator('#status').textContent()) === 'disconnected', 'the status says disconnected');
      await foreign.close();
    } finally {
      proxy.close();
    }
  });

  if (byName) {
    await step(`opened by another name (${byName}), the console connects and chats: same-origin is never foreign`, async () => {
      const named = await browser.newContext();
      const page = await openConsole(named, `http://${byName}:${new URL(base).port}/`);
      current = page;
      await page.locator('#status.connected').waitFor();
      await page.fill('#chat-text', `hello from ${byName}`);
      await page.click('#chat-send');
      await page.locator('#chat-status', { hasText: 'Sent to lobby.' }).waitFor();
      await named.close();
    });
  }

  await step('Swagger UI: POST /mcp, try it out with the echo example, success envelope', async () => {
    await trySwaggerEcho(context, base);
  });

  if (byName) {
    await step(`Swagger UI opened by another name (${byName}): Execute gets the success envelope, not forbidden_origin`, async () => {
      const named = await browser.newContext();
      await trySwaggerEcho(named, `http://${byName}:${new URL(base).port}`);
      await named.close();
    });
  }

  await step('Swagger UI documents the success envelope of the chosen example, not a placeholder', async () => {
    const swagger = await context.newPage();
    swagger.setDefaultTimeout(timeout);
    current = swagger;
    await swagger.goto(`${base}/swagger`);
    const operation = swagger.locator('#operations-Envelope-PostEnvelope');
    await operation.locator('.opblock-summary').click();
    const documented = operation.locator('.responses-table:not(.live-responses-table) tr.response[data-code="200"]');
    await documented.waitFor();
    await documented.locator('.examples-select select').selectOption('echo-echo');
    const text = await documented.locator('pre').first().textContent();
    check(text.includes('MCP request processed successfully') && !text.includes('"string"'), `documented 200: ${text.slice(0, 300)}`);
  });

  console.log('browser: all checks passed');
} finally {
  await browser.close();
}

// Swagger UI at root: expand POST /mcp, try the echo example, expect its success envelope.
async function trySwaggerEcho(context, root) {
  const swagger = await context.newPage();
  swagger.setDefaultTimeout(timeout);
  current = swagger;
  await swagger.goto(`${root}/swagger`);
  const operation = swagger.locator('#operations-Envelope-PostEnvelope');
  await operation.locator('.opblock-summary').click();
  const tryItOut = operation.locator('button.try-out__btn', { hasText: 'Try it out' });
  if (await tryItOut.count() > 0) {
    await tryItOut.click();
  }
  await operation.locator('.examples-select select').first().selectOption('echo-echo');
  await operation.locator('button.execute').click();
  const body = operation.locator('.live-responses-table .response-col_description pre').first();
  await body.waitFor();
  const text = await body.textContent();
  check(text.includes('"status": "success"') && text.includes('"echo"'), `unexpected response body: ${text}`);
}
