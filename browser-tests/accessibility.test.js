// Scenario 4: axe-core on the applicant chat (every language, and Russian with a conversation),
// on the operator queue and on a conversation page with the bot's and the applicant's messages:
// no violation of impact "serious" or "critical". The pages forbid
// injected scripts (CSP script-src 'self'), so these contexts bypass the CSP to load axe.

import assert from 'node:assert/strict';
import { env, scenario, tag, login, openQueue, openChat, sendAsApplicant, waitForNewQueueItem, takeConversation, hook, axeViolations, axeReport as report, BLOCKING } from './lib/helpers.js';

scenario('accessibility: no serious or critical axe-core violation on the chat, the queue and a conversation', async (s, t) => {
  const failures = [];
  const check = async (page, where) => {
    const violations = await axeViolations(page);
    const blocking = violations.filter((v) => BLOCKING.has(v.impact));
    const minor = violations.filter((v) => !BLOCKING.has(v.impact));
    if (minor.length > 0) t.diagnostic(`minor axe findings on ${where}:\n${report(where, minor)}`);
    if (blocking.length > 0) failures.push(`${where}:\n${report(where, blocking)}`);
    else t.diagnostic(`axe: ${where} has no serious or critical violation`);
  };

  const operator = await s.newPage({ label: 'operator', bypassCSP: true });
  await login(operator, env().operator);
  await openQueue(operator);
  const before = await operator.locator('table#queue tbody tr.queue-item').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-conversation')));

  for (const lang of ['ru', 'uk', 'en']) {
    const page = await s.newPage({ label: `applicant-${lang}`, bypassCSP: true });
    await openChat(page, { lang });
    await check(page, `chat /?lang=${lang} (no conversation yet)`);
  }

  const applicant = await s.newPage({ label: 'applicant', bypassCSP: true });
  await openChat(applicant);
  const asked = `Оператор, вопрос о доступности (${tag()})`;
  await sendAsApplicant(applicant, asked);
  await openChat(applicant); // a fresh load of the page with its conversation
  await check(applicant, 'chat / in Russian with a conversation');

  const waiting = await waitForNewQueueItem(operator, before); // the queue with at least one waiting row
  await check(operator, 'operator queue /console/queue');

  // The transcript labels each message's sender ("Bot", "Applicant") on light grounds.
  await takeConversation(operator, waiting, asked);
  await hook(operator, 'ol#transcript li.msg.from-bot .who', 'a bot message with its label');
  await hook(operator, 'ol#transcript li.msg.from-applicant .who', 'an applicant message with its label');
  await check(operator, `conversation page /console/conversations/${waiting}`);

  assert.equal(failures.length, 0, `axe-core found serious or critical violations:\n${failures.join('\n')}`);
});
