// Browser test of the live web console and the Swagger UI, in headless Debian Chromium.
//   node console.test.mjs http://127.0.0.1:5000
// Two tabs: one sends a chat message, the other sees it; one plays a move, the other's board updates.
// Then Swagger UI: expand POST /mcp, try the echo example, see the success envelope.
// Prints one line per check; exits non-zero on the first failure (screenshot in $TMPDIR, never in the repo).
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import os from 'node:os';
import path from 'node:path';

const base = process.argv[2] ?? 'http://127.0.0.1:5000';
const timeout = 10_000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let current = null;

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

try {
  const context = await browser.newContext();
  const ana = await context.newPage();
  const bo = await context.newPage();
  for (const page of [ana, bo]) {
    page.setDefaultTimeout(timeout);
    page.on('pageerror', (error) => console.log(`# page error: ${error.message}`));
  }

  await step('both tabs open the console and connect over WebSocket', async () => {
    current = ana;
    await ana.goto(`${base}/`);
    await bo.goto(`${base}/`);
    await ana.locator('#status.connected').waitFor();
    await bo.locator('#status.connected').waitFor();
    await ana.locator('#model option', { hasText: 'chat' }).first().waitFor({ state: 'attached' });
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
    await bo.locator('#events li', { hasText: 'chat.message' }).first().waitFor();
  });

  await step('a chat message posted with curl appears in both tabs at once', async () => {
    const envelope = JSON.stringify({ model: 'chat', context: { user: 'curl', room }, data: 'hello from curl' });
    execFileSync('curl', ['-fsS', '-H', 'Content-Type: application/json', '-d', envelope, `${base}/mcp`], { timeout: 10000 });
    for (const page of [ana, bo]) {
      current = page;
      await page.locator('#chat-messages li', { hasText: 'hello from curl' }).waitFor();
    }
  });

  const game = `g${Date.now()}`;
  await step('a move played in one tab updates the board in the other', async () => {
    current = ana;
    await ana.fill('#game-id', game);
    await ana.fill('#game-player', 'ana');
    await ana.click('#game-new');
    await ana.locator('#game-status', { hasText: game }).waitFor();
    await ana.click('#game-join');
    await bo.fill('#game-id', game);
    await bo.fill('#game-player', 'bo');
    await bo.click('#game-join');
    current = bo;
    await bo.locator('#game-status', { hasText: 'X to play' }).waitFor();
    current = ana;
    await ana.locator('#game-status', { hasText: 'X to play' }).waitFor();
    await ana.click('#board button[data-cell="4"]');
    current = bo;
    await bo.locator('#board button[data-cell="4"]', { hasText: 'X' }).waitFor();
    await bo.locator('#game-status', { hasText: 'O to play' }).waitFor();
    await bo.click('#board button[data-cell="0"]');
    current = ana;
    await ana.locator('#board button[data-cell="0"]', { hasText: 'O' }).waitFor();
  });

  await step('the envelope panel sends the echo example and shows the reply', async () => {
    current = ana;
    await ana.selectOption('#model', 'echo');
    await ana.click('#send');
    await ana.locator('#replies div', { hasText: '"status": "success"' }).first().waitFor();
  });

  await step('Swagger UI: POST /mcp, try it out with the echo example, success envelope', async () => {
    const swagger = await context.newPage();
    swagger.setDefaultTimeout(timeout);
    current = swagger;
    await swagger.goto(`${base}/swagger`);
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
    if (!text.includes('"status": "success"') || !text.includes('"echo"')) {
      throw new Error(`unexpected response body: ${text}`);
    }
  });

  console.log('browser: all checks passed');
} finally {
  await browser.close();
}
