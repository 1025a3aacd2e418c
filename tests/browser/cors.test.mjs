// Browser test of cross-origin access and security headers, in headless Debian Chromium.
//   node cors.test.mjs http://127.0.0.1:5000
// The server must allow the origin http://127.0.0.1 (any port) in Mcp:AllowedOrigins and nothing else.
// A page on another loopback origin (http://127.0.0.1:<another port>) calls POST /mcp with an envelope and with MCP
// (headers that need a CORS preflight, the Mcp-Session-Id it reads back), and opens an EventSource; a page on an origin
// that is not allowed (http://other.test:<port>) is refused. The web console and Swagger UI load and work under the
// server's Content-Security-Policy, without a single violation.
// Prints one line per check; exits non-zero on the first failure.
import http from 'node:http';
import { chromium } from 'playwright-core';

const base = (process.argv[2] ?? 'http://127.0.0.1:5000').replace(/\/$/, '');
const timeout = 10_000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--host-resolver-rules=MAP other.test 127.0.0.1'],
});

async function step(name, action) {
  try {
    await action();
    console.log(`ok - ${name}`);
  } catch (error) {
    console.log(`not ok - ${name}: ${error.message}`);
    throw error;
  }
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

// A page server on another origin than McpApi: it serves one empty page.
const pages = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><title>another site</title><p>another site</p>');
});
await new Promise((resolve) => pages.listen(0, '127.0.0.1', resolve));
const pagePort = pages.address().port;

async function openPage(context, url) {
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const violations = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  const response = await page.goto(url);
  return { page, violations, response };
}

let exitCode = 0;
try {
  const context = await browser.newContext();

  await step('a page on an allowed origin posts an envelope with a header that needs a preflight and reads the answer', async () => {
    const { page } = await openPage(context, `http://127.0.0.1:${pagePort}/`);
    const answer = await page.evaluate(async (server) => {
      const response = await fetch(`${server}/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'not-checked-in-mode-none' },
        body: JSON.stringify({ model: 'echo', data: { from: 'another origin' } }),
      });
      return { status: response.status, body: await response.json() };
    }, base);
    check(answer.status === 200, `status ${answer.status}: ${JSON.stringify(answer.body)}`);
    check(answer.body.status === 'success' && answer.body.data.echo.data.from === 'another origin', JSON.stringify(answer.body));
    await page.close();
  });

  await step('a page on an allowed origin speaks MCP: initialize, reads Mcp-Session-Id, lists tools with the session headers', async () => {
    const { page } = await openPage(context, `http://127.0.0.1:${pagePort}/`);
    const answer = await page.evaluate(async (server) => {
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
      const init = await fetch(`${server}/mcp`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'browser', version: '1' } } }),
      });
      const session = init.headers.get('Mcp-Session-Id');
      const initText = await init.text();
      const sessionHeaders = { ...headers, 'MCP-Protocol-Version': '2025-11-25', ...(session ? { 'Mcp-Session-Id': session } : {}) };
      await fetch(`${server}/mcp`, { method: 'POST', headers: sessionHeaders,
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
      const list = await fetch(`${server}/mcp`, { method: 'POST', headers: sessionHeaders,
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
      return { initStatus: init.status, session, initText, listStatus: list.status, listText: await list.text() };
    }, base);
    check(answer.initStatus === 200, `initialize: ${answer.initStatus} ${answer.initText}`);
    check(answer.session, 'the page could not read Mcp-Session-Id (not exposed)');
    check(answer.listStatus === 200 && answer.listText.includes('echo_echo'), `tools/list: ${answer.listStatus} ${answer.listText.slice(0, 300)}`);
    await page.close();
  });

  await step('a page on an allowed origin opens an EventSource on /mcp/events', async () => {
    const { page } = await openPage(context, `http://127.0.0.1:${pagePort}/`);
    const first = await page.evaluate((server) => new Promise((resolve) => {
      const source = new EventSource(`${server}/mcp/events?topics=chat:lobby`);
      source.addEventListener('ready', (event) => { source.close(); resolve(event.data); });
      source.onerror = () => { source.close(); resolve('error'); };
    }), base);
    check(first.includes('chat:lobby'), `first event: ${first}`);
    await page.close();
  });

  await step('a page on an origin that is not allowed cannot read an answer (no Access-Control-Allow-Origin)', async () => {
    const { page } = await openPage(context, `http://other.test:${pagePort}/`);
    const outcome = await page.evaluate(async (server) => {
      try {
        const response = await fetch(`${server}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ model: 'echo' }) });
        return `read ${response.status}`;
      } catch (error) {
        return `refused: ${error.name}`;
      }
    }, base);
    check(outcome.startsWith('refused'), outcome);
    await page.close();
  });

  await step('the web console loads under its Content-Security-Policy, connects and sends an envelope, without a violation', async () => {
    const { page, violations, response } = await openPage(context, `${base}/`);
    const headers = response.headers();
    check((headers['content-security-policy'] ?? '').includes("frame-ancestors 'none'"), `CSP: ${headers['content-security-policy']}`);
    check(headers['x-content-type-options'] === 'nosniff', JSON.stringify(headers));
    check(!('server' in headers), `Server: ${headers.server}`);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('connected')
      && !document.querySelector('#status')?.textContent?.includes('dis'));
    await page.waitForFunction(() => document.querySelectorAll('#model option').length > 0);
    await page.click('#send');
    await page.waitForFunction(() => document.querySelector('#replies')?.textContent?.includes('success'));
    check(violations.length === 0, violations.join(' | '));
    await page.close();
  });

  await step('Swagger UI loads under its Content-Security-Policy and runs the echo example, without a violation', async () => {
    const { page, violations } = await openPage(context, `${base}/swagger`);
    const operation = page.locator('#operations-Envelope-PostEnvelope');
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
    check(violations.length === 0, violations.join(' | '));
    await page.close();
  });
  console.log('browser: all checks passed');
} catch {
  exitCode = 1;
} finally {
  await browser.close();
  pages.close();
}
process.exit(exitCode);
