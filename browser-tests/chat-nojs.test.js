// Scenario 1: an applicant without JavaScript (Tor Browser, Safest) writes; an operator logs in
// with a computed TOTP code, takes the conversation and replies; the applicant sees the reply
// after following the refresh link.

import assert from 'node:assert/strict';
import {
  env, scenario, tag, login, openQueue, queueIds, waitForNewQueueItem, takeConversation, replyAsStaff,
  openChat, waitForMessage, hook, assertNoWebStorage,
} from './lib/helpers.js';

scenario('without JavaScript: applicant writes, operator replies, applicant sees it after refresh', async (s, t) => {
  const operator = await s.newPage({ label: 'operator' });
  await login(operator, env().operator);
  await openQueue(operator);
  const before = await queueIds(operator);

  const applicant = await s.newPage({ label: 'applicant', js: false });
  await openChat(applicant); // `/`, Russian by default
  const form = applicant.locator('form#send-form');
  assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post', 'form#send-form must be method=post');
  assert.equal(await form.getAttribute('action'), '/chat/send', 'form#send-form must post to /chat/send');

  const question = `Здравствуйте, оператор, хочу узнать подробности (${tag()})`;
  await applicant.locator('textarea#message').fill(question);
  const posted = applicant.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/chat/send'));
  await applicant.locator('button#send').click();
  const response = await (await posted).response();
  assert.ok(response, 'POST /chat/send got no answer');
  assert.equal(response.status(), 303, 'POST /chat/send should answer 303 (post/redirect/get)');
  assert.match(response.headers()['location'] ?? '', /^\/\?lang=ru$/, 'the 303 should lead to /?lang=ru');
  await waitForMessage(applicant, 'ol#messages', 'from-applicant', question, 'the page after sending (reloaded)');
  await assertNoWebStorage(applicant);

  const conversation = await waitForNewQueueItem(operator, before);
  t.diagnostic(`conversation ${conversation}`);
  await takeConversation(operator, conversation, question);
  const answer = `Здравствуйте! Оператор на связи (${tag()})`;
  await replyAsStaff(operator, answer);

  const refresh = await hook(applicant, 'a#refresh', 'refresh link');
  await refresh.click();
  await waitForMessage(applicant, 'ol#messages', 'from-staff', answer, 'the reply after following a#refresh');
  const seqs = await applicant.locator('ol#messages > li.msg').evaluateAll((items) => items.map((li) => li.dataset.seq));
  assert.ok(seqs.every((seq) => seq && /^\d+$/.test(seq)), `every li.msg needs a numeric data-seq, got ${JSON.stringify(seqs)}`);
  await assertNoWebStorage(applicant);
});
