// Scenario 3: quick exit ends the conversation on this device and leaves for the neutral page,
// with JavaScript (the same POST by fetch, then location.replace: no chat entry in the tab's
// history) and without it (a form POST answered by a redirect that removes the cookie). After
// it, Back and a new visit show nothing of the conversation, and the API refuses the old token.
// Also "end this conversation on this device", screenshotted in Russian at 320 px.

import assert from 'node:assert/strict';
import path from 'node:path';
import { env, url, scenario, tag, openChat, sendAsApplicant, hook, describe, leavesMachine, gotoOk, WAIT_MS } from './lib/helpers.js';

const NEUTRAL_STAND_IN = '<!doctype html><html lang="en"><title>Weather</title><p>Sunny, 21 °C.</p></html>';

/** The conversation's token, read from the browser's cookie jar (the page's script cannot). */
async function chatToken(context) {
  const cookies = await context.cookies(env().baseUrl);
  const cookie = cookies.find((c) => c.name === 'sp_chat' || c.name === '__Host-sp_chat');
  assert.ok(cookie, `no chat cookie after the first message: ${JSON.stringify(cookies.map((c) => c.name))}`);
  return cookie.value;
}

/** The API's answer to the old token, retried briefly (the revoking request may still be on its way). */
async function assertTokenRefused(token, what) {
  let status = 0;
  for (let i = 0; i < 20; i++) {
    const r = await fetch(url('/api/v1/chat/messages'), { headers: { Authorization: `Bearer ${token}` } });
    status = r.status;
    if (status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(status, 401, `${what}: the API still accepts the old token`);
}

async function assertNothingShown(page, secret, what) {
  const body = await page.locator('body').innerText().catch(() => '');
  assert.ok(!body.includes(secret), `${what}: the page shows the conversation: ${await describe(page)}`);
  if (new URL(page.url()).origin === env().origin) {
    assert.equal(await page.locator('ol#messages li.msg').count(), 0, `${what}: ol#messages still holds messages`);
  }
}

/** Where the quick exit leads; a stand-in answers when that is off this machine. */
async function neutralTarget(s, context, page) {
  const neutral = await (await hook(page, 'form#quick-exit-form', 'quick-exit form')).getAttribute('data-neutral');
  assert.ok(neutral, 'form#quick-exit-form needs data-neutral (the neutral page, for the script)');
  const target = new URL(neutral, page.url());
  assert.ok(!(target.origin === env().origin), `the neutral page is the chat itself: ${target.href}`);
  if (leavesMachine(target.href)) {
    s.allowOrigin(target.origin);
    await context.route((u) => u.origin === target.origin, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: NEUTRAL_STAND_IN }));
  }
  return target;
}

async function reached(page, target) {
  try {
    await page.waitForURL((u) => u.origin === target.origin && u.pathname === target.pathname, { timeout: WAIT_MS });
    await page.waitForLoadState('load');
  } catch {
    throw new Error(`a click on #quick-exit did not reach ${target.href}: ${await describe(page)}`);
  }
}

scenario('quick exit with JavaScript ends the session and leaves no chat page in the history', async (s, t) => {
  const context = await s.newContext({ label: 'applicant-js' });
  const page = await context.newPage();
  page.label = 'applicant-js';
  await page.goto('about:blank');
  await openChat(page);
  const chatTitle = await page.title();
  const secret = `Мне нужно уйти быстро (${tag()})`;
  await sendAsApplicant(page, secret);
  const token = await chatToken(context);
  const target = await neutralTarget(s, context, page);
  t.diagnostic(`quick exit goes to ${target.href}`);

  const exitPost = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/chat/exit', { timeout: WAIT_MS });
  const lengthBefore = await page.evaluate(() => history.length);
  await page.locator('button#quick-exit').click();
  await exitPost.catch(() => { throw new Error('the script did not POST /chat/exit before leaving'); });
  await reached(page, target);
  const lengthAfter = await page.evaluate(() => history.length);
  assert.equal(lengthAfter, lengthBefore,
    `history.length grew from ${lengthBefore} to ${lengthAfter}: the quick exit must replace the chat's entry (location.replace)`);

  const cdp = await context.newCDPSession(page);
  const { entries } = await cdp.send('Page.getNavigationHistory');
  t.diagnostic(`history after quick exit: ${JSON.stringify(entries.map((e) => e.url))}`);
  const chatEntries = entries.filter((e) => e.url !== target.href && (e.url.startsWith(env().origin) || (chatTitle && e.title === chatTitle)));
  assert.ok(chatEntries.length === 0,
    `after the quick exit the tab's history still holds the chat: ${chatEntries.map((e) => `${e.url} "${e.title}"`).join(', ')}`);

  await assertTokenRefused(token, 'after quick exit with JavaScript');
  await page.goBack({ timeout: WAIT_MS }).catch(() => null);
  assert.ok(!page.url().startsWith(env().origin), `Back after the quick exit landed on the chat (${page.url()})`);
  await assertNothingShown(page, secret, 'Back after quick exit');
  // A new visit: an empty chat.
  await gotoOk(page, '/', 'the chat again');
  await assertNothingShown(page, secret, 'a new visit after quick exit');
  const left = (await context.cookies(env().baseUrl)).filter((c) => c.value === token);
  assert.deepEqual(left, [], 'the old token is still in the cookie jar');
});

scenario('quick exit without JavaScript ends the session; Back and a new visit show nothing', async (s, t) => {
  const context = await s.newContext({ label: 'applicant-nojs', js: false });
  const page = await context.newPage();
  page.label = 'applicant-nojs';
  await page.goto('about:blank');
  await openChat(page);
  const secret = `Без скриптов, уйти быстро (${tag()})`;
  await page.locator('textarea#message').fill(secret);
  await Promise.all([page.waitForNavigation({ timeout: WAIT_MS }), page.locator('button#send').click()]);
  assert.ok((await page.locator('ol#messages').innerText()).includes(secret), 'the message shows after the post');
  const token = await chatToken(context);
  const target = await neutralTarget(s, context, page);

  await page.locator('button#quick-exit').click();
  await reached(page, target);
  t.diagnostic(`left for ${page.url()}`);
  await assertTokenRefused(token, 'after quick exit without JavaScript');
  const cookies = await context.cookies(env().baseUrl);
  assert.deepEqual(cookies.map((c) => c.name), [], 'the redirect must remove the chat cookie');

  // Back: without a script the chat page is in the history; it must come back empty.
  await page.goBack({ timeout: WAIT_MS }).catch(() => null);
  await page.waitForLoadState('load');
  t.diagnostic(`Back landed on ${page.url()}`);
  await assertNothingShown(page, secret, 'Back after quick exit without JavaScript');
  await gotoOk(page, '/', 'the chat again');
  await assertNothingShown(page, secret, 'a new visit after quick exit without JavaScript');
});

for (const js of [true, false]) {
  scenario(`"end this conversation on this device" ${js ? 'with' : 'without'} JavaScript`, async (s) => {
    const label = js ? 'applicant-end-js' : 'applicant-end-nojs';
    const context = await s.newContext({ label, js, viewport: { width: 320, height: 720 } });
    const page = await context.newPage();
    page.label = label;
    await openChat(page, { lang: 'ru' });
    const secret = `Закончить здесь (${tag()})`;
    if (js) {
      await sendAsApplicant(page, secret);
    } else {
      await page.locator('textarea#message').fill(secret);
      await Promise.all([page.waitForNavigation({ timeout: WAIT_MS }), page.locator('button#send').click()]);
    }
    const token = await chatToken(context);
    const end = await hook(page, 'form#end-form[method=post] button#end-conversation', '"end this conversation" button', { state: 'visible' });
    if (!js) {
      await page.screenshot({ path: path.join(env().screenshotDir, 'chat-end-ru-320.png'), fullPage: true });
    }
    await Promise.all([page.waitForURL((u) => u.searchParams.get('ended') === '1', { timeout: WAIT_MS }), end.click()]);
    await page.waitForLoadState('load');
    await hook(page, 'ol#messages', 'message list');
    await assertNothingShown(page, secret, 'after ending the conversation');
    const notice = await page.locator('#notice').innerText();
    assert.match(notice, /кодов/i, `the page should say the conversation ended and point to the codename: "${notice}"`);
    assert.ok(await page.locator('form#end-form').isHidden(), 'nothing left to end');
    if (!js) {
      await page.screenshot({ path: path.join(env().screenshotDir, 'chat-ended-ru-320.png'), fullPage: true });
    }
    await assertTokenRefused(token, 'after ending the conversation');
    await page.goBack({ timeout: WAIT_MS }).catch(() => null);
    await page.waitForLoadState('load');
    await assertNothingShown(page, secret, 'Back after ending the conversation');
  });
}
