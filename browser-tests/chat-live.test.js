// Scenario 2: with JavaScript the operator's reply appears in the applicant's chat live (over
// Server-Sent Events), without a reload, within one second of the operator's click on send.
// The operator's queue, open before the applicant writes, shows the new conversation live too.

import assert from 'node:assert/strict';
import {
  env, scenario, tag, login, openQueue, queueIds, takeConversation, replyAsStaff, openChat, sendAsApplicant,
  describe, assertNoWebStorage, WAIT_MS,
} from './lib/helpers.js';

const LIVE_LIMIT_MS = 1000;

scenario('with JavaScript: the reply appears live within a second, without a reload', async (s, t) => {
  const operator = await s.newPage({ label: 'operator' });
  await login(operator, env().operator);
  await openQueue(operator);
  const before = await queueIds(operator);

  const applicant = await s.newPage({ label: 'applicant' });
  let streams = 0;
  applicant.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/chat/events') streams += 1;
  });
  await openChat(applicant, { lang: 'ru' });
  await applicant.evaluate(() => { window.__spBeforeSend = true; });
  const question = `Здравствуйте, мне нужен оператор: я по поводу программы (${tag()})`;
  await sendAsApplicant(applicant, question);
  const sentWithoutReload = await applicant.evaluate(() => window.__spBeforeSend === true);
  if (!sentWithoutReload) t.diagnostic('note: sending reloaded the page; with JavaScript chat.js should send through the JSON API');

  // The queue updates itself (GET /console/events re-renders #queue): no reload here.
  const row = operator.locator('table#queue tbody tr.queue-item[data-conversation]');
  let conversation;
  try {
    await operator.waitForFunction(
      (known) => [...document.querySelectorAll('table#queue tbody tr.queue-item[data-conversation]')]
        .some((r) => !known.includes(r.getAttribute('data-conversation'))),
      before,
      { timeout: 5_000, polling: 100 },
    );
    const ids = await row.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-conversation')));
    conversation = ids.filter((id) => !before.includes(id)).pop();
  } catch {
    throw new Error(`the queue did not show the new conversation live within 5 s (no reload; #queue should be re-rendered from GET /console/events): ${await describe(operator)}`);
  }
  t.diagnostic(`conversation ${conversation}`);
  await takeConversation(operator, conversation, question);

  // Marks this document and watches for the reply; a reload would lose both.
  const answer = `Добрый день, отвечаю вам (${tag()})`;
  await applicant.evaluate((text) => {
    window.__spNoReload = true;
    window.__spReplySeenAt = 0;
    const seen = () => [...document.querySelectorAll('ol#messages > li.msg.from-staff')].some((li) => li.textContent.includes(text));
    const observer = new MutationObserver(() => {
      if (!window.__spReplySeenAt && seen()) {
        window.__spReplySeenAt = Date.now();
        observer.disconnect();
      }
    });
    observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  }, answer);
  let navigations = 0;
  applicant.on('framenavigated', (frame) => {
    if (frame === applicant.mainFrame()) navigations += 1;
  });

  const clickedAt = await replyAsStaff(operator, answer);
  let seenAt;
  try {
    const handle = await applicant.waitForFunction(() => window.__spReplySeenAt, null, { timeout: WAIT_MS, polling: 50 });
    seenAt = await handle.jsonValue();
  } catch {
    throw new Error(
      `the reply did not appear in ol#messages (li.msg.from-staff) within ${WAIT_MS} ms without a reload; ` +
        `requests to /api/v1/chat/events seen: ${streams}; navigations: ${navigations}. Page: ${await describe(applicant)}`,
    );
  }
  const delay = seenAt - clickedAt;
  t.diagnostic(`reply shown ${delay} ms after the operator's click on #send-reply`);
  assert.equal(navigations, 0, 'the applicant page navigated while waiting for the reply');
  assert.equal(await applicant.evaluate(() => window.__spNoReload), true, 'the applicant page was reloaded');
  assert.ok(delay < LIVE_LIMIT_MS, `the reply took ${delay} ms to appear; it must take under ${LIVE_LIMIT_MS} ms`);
  await assertNoWebStorage(applicant);
});
