// Browser test of the web console's API-key prompt, in headless Debian Chromium, against a server in Auth:Mode=ApiKey.
//   node console-key.test.mjs http://127.0.0.1:5000 <key> <admin key>
// The console asks for a key (and says why), keeps it in this tab's sessionStorage, then its calls work as the key's
// holder (models listed for its scopes, a chat message recorded under its name), and a reload keeps it signed in.
// Prints one line per check; exits non-zero on the first failure (screenshots in $TMPDIR, never in the repo).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [base, key, adminKey] = process.argv.slice(2);
const timeout = 10_000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
let page = null;

async function step(name, action) {
  try {
    await action();
    console.log(`ok - ${name}`);
  } catch (error) {
    console.log(`not ok - ${name}: ${error.message}`);
    if (page) {
      const file = path.join(os.tmpdir(), `mcpapi-browser-key-${Date.now()}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
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

function postAsAdmin(envelope) {
  return JSON.parse(execFileSync('curl', ['-sS', '-H', 'Content-Type: application/json', '-H', `Authorization: Bearer ${adminKey}`,
    '-d', JSON.stringify(envelope), `${base}/mcp`], { timeout: 10000, encoding: 'utf8' }));
}

try {
  const context = await browser.newContext();
  page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (error) => console.log(`# page error: ${error.message}`));
  await page.goto(`${base}/`);

  await step('the console asks for a key and says the server requires one', async () => {
    await page.locator('#auth').waitFor({ state: 'visible' });
    await page.locator('#notice', { hasText: 'This server requires an API key.' }).waitFor();
    check((await page.locator('#notice').textContent()).includes('sessionStorage'), 'the notice says where the key is kept');
  });

  await step('a wrong key is refused with the server\'s reason and not kept', async () => {
    await page.fill('#api-key', 'not-a-key');
    await page.click('#auth button[type="submit"]');
    await page.locator('#notice', { hasText: 'The key was refused' }).waitFor();
    check(await page.evaluate(() => sessionStorage.getItem('mcpapi.key')) === null, 'the refused key was removed');
  });

  await step('the key is kept in sessionStorage and the console signs in as its holder', async () => {
    await page.fill('#api-key', key);
    await page.click('#auth button[type="submit"]');
    await page.locator('#signed-in', { hasText: 'signed in as ana' }).waitFor();
    check(await page.locator('#auth').isHidden(), 'the key form is hidden once signed in');
    check(await page.evaluate(() => sessionStorage.getItem('mcpapi.key')) === key, 'the key is in sessionStorage');
    check(await page.evaluate(() => localStorage.length) === 0, 'nothing is kept in localStorage');
  });

  await step('calls work: the models are the key\'s, and a chat message is recorded as its holder', async () => {
    await page.locator('#model option', { hasText: 'chat' }).first().waitFor({ state: 'attached' });
    const models = await page.locator('#model option').allTextContents();
    check(!models.some((m) => m.startsWith('state')), `models listed for ana (chat:*, notes:read): ${models.join(', ')}`);
    const text = `hello with a key ${Date.now()}`;
    await page.fill('#chat-text', text);
    await page.click('#chat-send');
    await page.locator('#chat-status', { hasText: 'Sent to lobby.' }).waitFor();
    const history = postAsAdmin({ model: 'chat', action: 'history', context: { room: 'lobby' } });
    const sent = history.data.messages.find((m) => m.text === text);
    check(sent && sent.user === 'ana', `history: ${JSON.stringify(history.data.messages)}`);
  });

  await step('a reload keeps the tab signed in without asking again', async () => {
    await page.reload();
    await page.locator('#signed-in', { hasText: 'signed in as ana' }).waitFor();
    check(await page.locator('#auth').isHidden(), 'the key form stays hidden');
  });

  console.log('browser: all key checks passed');
} finally {
  await browser.close();
}
