// Scenario 6: nothing leaves 127.0.0.1 and nothing stays in the browser. Over a whole exchange
// (applicant with JavaScript, operator replying) no page requests anything off this machine, the
// chat page keeps nothing in localStorage or sessionStorage, its only cookie is `sp_chat`
// (HttpOnly, SameSite=Strict), and the conversation token never shows in a URL.
// (Every other scenario also fails on a request off this machine: see `scenario` in lib/helpers.js.)

import assert from 'node:assert/strict';
import {
  env, scenario, tag, login, openQueue, queueIds, waitForNewQueueItem, takeConversation, replyAsStaff,
  openChat, sendAsApplicant, waitForMessage, assertNoWebStorage,
} from './lib/helpers.js';

scenario('privacy: no request off 127.0.0.1, no web storage, one HttpOnly cookie, no token in URLs', async (s, t) => {
  const operator = await s.newPage({ label: 'operator' });
  await login(operator, env().operator);
  await openQueue(operator);
  const before = await queueIds(operator);

  const applicantContext = await s.newContext({ label: 'applicant' });
  const applicant = await applicantContext.newPage();
  applicant.label = 'applicant';
  await openChat(applicant);
  await assertNoWebStorage(applicant);
  assert.deepEqual(await applicantContext.cookies(), [], 'the chat set a cookie before the applicant wrote anything');

  const question = `Оператор, где я могу прочитать подробнее? (${tag()})`;
  await sendAsApplicant(applicant, question);
  const conversation = await waitForNewQueueItem(operator, before);
  await takeConversation(operator, conversation, question);
  const answer = `Всё, что нужно, я напишу здесь (${tag()})`;
  await replyAsStaff(operator, answer);
  await waitForMessage(applicant, 'ol#messages', 'from-staff', answer, 'the reply in the chat');
  await applicant.reload();
  await waitForMessage(applicant, 'ol#messages', 'from-staff', answer, 'the reply after a reload');
  await assertNoWebStorage(applicant);

  const cookies = await applicantContext.cookies();
  assert.deepEqual(cookies.map((c) => c.name), ['sp_chat'], `the chat's only cookie must be sp_chat, got ${JSON.stringify(cookies)}`);
  const [session] = cookies;
  assert.equal(session.httpOnly, true, 'sp_chat must be HttpOnly');
  assert.equal(session.sameSite, 'Strict', 'sp_chat must be SameSite=Strict');
  assert.equal(session.path, '/', 'sp_chat must have Path=/');
  const leaking = s.requestUrls.filter((u) => session.value.length >= 16 && u.includes(session.value));
  assert.deepEqual(leaking, [], 'the conversation token (the sp_chat value) appeared in a URL');

  const caches = await applicant.evaluate(async () => ({
    indexedDB: indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [],
    caches: 'caches' in window ? await caches.keys() : [],
  }));
  assert.deepEqual(caches, { indexedDB: [], caches: [] }, 'the chat keeps data in IndexedDB or the Cache API');

  s.assertNoForeignRequests();
  t.diagnostic(`${s.requestUrls.length} requests, all to ${env().origin}`);
});
