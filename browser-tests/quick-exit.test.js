// Scenario 3: the quick-exit button leaves for a neutral page and leaves nothing of the chat in
// the tab's history (with JavaScript: location.replace).

import assert from 'node:assert/strict';
import { env, scenario, tag, openChat, sendAsApplicant, hook, describe, leavesMachine, WAIT_MS } from './lib/helpers.js';

const NEUTRAL_STAND_IN = '<!doctype html><html lang="en"><title>Weather</title><p>Sunny, 21 °C.</p></html>';

scenario('quick exit leaves no chat page in the history', async (s, t) => {
  const context = await s.newContext({ label: 'applicant' });
  const page = await context.newPage();
  page.label = 'applicant';
  await page.goto('about:blank');
  await openChat(page);
  const chatTitle = await page.title();
  await sendAsApplicant(page, `Мне нужно уйти быстро (${tag()})`);

  const exit = await hook(page, 'a#quick-exit', 'quick-exit button');
  const href = await exit.getAttribute('href');
  assert.ok(href, 'a#quick-exit needs an href (the neutral page, for browsers without JavaScript)');
  const target = new URL(href, page.url());
  assert.ok(!target.pathname.startsWith('/chat') && !(target.origin === env().origin && target.pathname === '/'),
    `a#quick-exit points back into the chat: ${target.href}`);
  if (leavesMachine(target.href)) {
    // The neutral page is on the Internet (the default): this machine has no way out, so a
    // stand-in answers for it. (The Rust entry point configures a neutral page on 127.0.0.1.)
    s.allowOrigin(target.origin);
    await context.route((u) => u.origin === target.origin, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: NEUTRAL_STAND_IN }));
  }
  t.diagnostic(`quick exit goes to ${target.href}`);

  const lengthBefore = await page.evaluate(() => history.length);
  await exit.click();
  try {
    await page.waitForURL((u) => u.href === target.href || (u.origin === target.origin && u.pathname === target.pathname), { timeout: WAIT_MS });
    await page.waitForLoadState('load');
  } catch {
    throw new Error(`a click on #quick-exit did not reach ${target.href}: ${await describe(page)}`);
  }
  const lengthAfter = await page.evaluate(() => history.length);
  assert.equal(lengthAfter, lengthBefore,
    `history.length grew from ${lengthBefore} to ${lengthAfter}: the quick exit must replace the chat's entry (location.replace)`);

  const cdp = await context.newCDPSession(page);
  const { entries, currentIndex } = await cdp.send('Page.getNavigationHistory');
  t.diagnostic(`history after quick exit: ${JSON.stringify(entries.map((e) => e.url))} (current ${currentIndex})`);
  const chatEntries = entries.filter((e) => e.url !== target.href && (e.url.startsWith(env().origin) || (chatTitle && e.title === chatTitle)));
  assert.ok(chatEntries.length === 0,
    `after the quick exit the tab's history still holds the chat: ${chatEntries.map((e) => `${e.url} "${e.title}"`).join(', ')} ` +
    `(whole history: ${entries.map((e) => e.url).join(' → ')}). location.replace removes only the current entry: ` +
    'every other navigation inside the chat (such as sending the first message by a plain form POST while JavaScript ' +
    'is on) leaves an entry that Back reopens, with the conversation cookie still set.');

  await page.goBack({ timeout: WAIT_MS }).catch(() => null);
  const back = page.url();
  assert.ok(!back.startsWith(env().origin) || back === target.href,
    `Back after the quick exit landed on the chat (${back})`);
  if (chatTitle) assert.notEqual(await page.title(), chatTitle, 'Back after the quick exit shows the chat\'s title');
});
