// Scenario 5: screenshots for people to look at, under target/screenshots/: the applicant chat in
// Russian at 320 px with a conversation, the operator queue, and a case opened from the
// conversation and moved one step.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  env, scenario, tag, login, openQueue, queueIds, waitForNewQueueItem, takeConversation, replyAsStaff,
  openChat, sendAsApplicant, waitForMessage, hook, gotoOk, describe, WAIT_MS,
} from './lib/helpers.js';

/** Opens a case from the conversation page the staff member is on; ends on the case page. */
async function openCase(page) {
  const form = page.locator('form#open-case-form');
  await form.locator('input[name=csrf]').waitFor({ state: 'attached', timeout: 2_000 }).catch(() => {
    throw new Error(`form#open-case-form has no hidden input[name=csrf]: ${page.url()}`);
  });
  const posted = page.waitForRequest((r) => r.method() === 'POST', { timeout: WAIT_MS });
  await form.locator('button, input[type=submit]').first().click();
  await posted;
  try {
    await page.waitForURL((u) => /^\/console\/cases\/[0-9a-f-]{36}$/i.test(u.pathname), { timeout: WAIT_MS });
  } catch {
    throw new Error(`opening a case did not lead to /console/cases/<uuid>: ${await describe(page)}`);
  }
  await hook(page, '#case-state', 'case state');
  await hook(page, 'ol#timeline', 'case timeline');
}

scenario('screenshots: chat (ru, 320 px), queue, case', async (s, t) => {
  const dir = env().screenshotDir;
  mkdirSync(dir, { recursive: true });

  const operator = await s.newPage({ label: 'operator', viewport: { width: 1280, height: 800 } });
  await login(operator, env().operator);
  await openQueue(operator);
  const before = await queueIds(operator);

  const applicant = await s.newPage({ label: 'applicant', viewport: { width: 320, height: 640 } });
  await openChat(applicant);
  const question = `Здравствуйте, оператор. Мой сын мобилизован, что ему делать? (${tag()})`;
  await sendAsApplicant(applicant, question);

  const conversation = await waitForNewQueueItem(operator, before);
  await operator.screenshot({ path: path.join(dir, 'queue.png'), fullPage: true });
  t.diagnostic(`saved ${path.join(dir, 'queue.png')}`);

  await takeConversation(operator, conversation, question);
  const answer = `Здравствуйте. Расскажите, пожалуйста, где он сейчас (${tag()})`;
  await replyAsStaff(operator, answer);
  await waitForMessage(applicant, 'ol#messages', 'from-staff', answer, 'the reply in the chat', WAIT_MS).catch(async () => {
    await applicant.reload(); // without live updates the screenshot still shows the whole exchange
    await waitForMessage(applicant, 'ol#messages', 'from-staff', answer, 'the reply in the chat after a reload');
  });
  const width = await applicant.evaluate(() => document.documentElement.scrollWidth);
  await applicant.screenshot({ path: path.join(dir, 'chat-ru-320.png'), fullPage: true });
  t.diagnostic(`saved ${path.join(dir, 'chat-ru-320.png')}`);
  assert.ok(width <= 320, `the chat at 320 px is ${width} px wide: it scrolls sideways`);

  // The case: the operator opens it if the console offers that to operators, else a specialist.
  let caseWorker = operator;
  if ((await operator.locator('form#open-case-form').count()) === 0) {
    t.diagnostic('no form#open-case-form for the operator; trying as the specialist');
    caseWorker = await s.newPage({ label: 'specialist', viewport: { width: 1280, height: 800 } });
    await login(caseWorker, env().specialist);
    await gotoOk(caseWorker, `/console/conversations/${conversation}`, 'conversation, as the specialist');
    await hook(caseWorker, 'form#open-case-form', 'open-case form (neither the operator nor the specialist has it)');
  }
  await openCase(caseWorker);
  const stateBefore = (await caseWorker.locator('#case-state').innerText()).trim();
  const advance = caseWorker.locator('form.transition button[name=transition][value^="advance:"]');
  if ((await advance.count()) > 0) {
    const move = await advance.first().getAttribute('value');
    const timelineBefore = await caseWorker.locator('ol#timeline > li').count();
    await advance.first().click();
    try {
      await caseWorker.waitForFunction(
        ([state, items]) => document.querySelector('#case-state')?.textContent.trim() !== state ||
          document.querySelectorAll('ol#timeline > li').length > items,
        [stateBefore, timelineBefore],
        { timeout: WAIT_MS, polling: 100 },
      );
    } catch {
      throw new Error(`the transition ${move} changed neither #case-state nor ol#timeline: ${await describe(caseWorker)}`);
    }
    t.diagnostic(`case moved by ${move}: "${stateBefore}" → "${(await caseWorker.locator('#case-state').innerText()).trim()}"`);
  } else {
    t.diagnostic(`no transition button (form.transition button[name=transition][value^="advance:"]) for this role in state "${stateBefore}"`);
  }
  await caseWorker.screenshot({ path: path.join(dir, 'case.png'), fullPage: true });
  t.diagnostic(`saved ${path.join(dir, 'case.png')}`);
});
