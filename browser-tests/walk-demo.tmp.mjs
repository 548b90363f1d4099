// Throwaway: look at the demo as its users (not committed).
import { chromium } from 'playwright-core';
import { hotp, keyFromHex, timeStep } from './lib/totp.js';
const base = 'http://127.0.0.1:18080';
const secret = Buffer.from('safepassage-demo-20b').toString('hex');
const who = process.argv[2]; const pages = process.argv.slice(3);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await ctx.newPage();
await page.goto(base + '/console/login');
const pw = who === 'coordinator2' ? 'demo-coordinator-password' : `demo-${who}-password`;
await page.fill('input[name=username]', `demo.${who}`);
await page.fill('input[name=password]', pw);
await page.fill('input[name=totp]', hotp(keyFromHex(secret), timeStep()));
await page.click('button#login');
await page.waitForLoadState('load');
for (const p of pages) {
  const r = await page.goto(base + p);
  const name = `/tmp/walk/${who}-${p.replace(/[^a-z0-9]+/gi, '_')}.png`;
  await page.screenshot({ path: name, fullPage: true });
  console.log(r.status(), p, name);
}
await browser.close();
