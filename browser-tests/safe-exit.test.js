// Scenario 9: one person along the whole safe-exit path, in the browser, as each of them would.
// The applicant (JavaScript off, Russian, 320 px) registers with the bot and gets a codename;
// a coordinator assigns the case to the specialist, who registers it; later, on another device,
// the applicant gives the codename and reports being deployed; the specialist confirms; the
// applicant sends where they are as an MGRS reference; the specialist sees it on the server-drawn
// map and marks the case located; a coordinator writes the plan and is refused its approval (four
// eyes); the second coordinator approves it; the first hands it off; operations see the package
// (with its map, no transcript), accept, report it under way and completed; the specialist records
// the exit and its outcome. Screenshots: the case page, its map, the operations package. No page
// of the scenario makes a request off 127.0.0.1 (the scenario checks every request).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { env, scenario, login, openChat, gotoOk, hook, describe, WAIT_MS } from './lib/helpers.js';

const CODENAME = /^\d{4} \d{4} \d{4} \d{4}$/;
const MGRS = '37U DQ 12345 67890';

/** Submits a form by clicking `button` and waits for the page it leads to. */
async function submit(page, button, what) {
  const target = page.locator(button);
  await hook(page, button, what);
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation({ timeout: WAIT_MS }), target.click()]);
}

/** Presses the chat's quick reply `label` (a plain form button without JavaScript). */
async function press(page, label) {
  const button = page.locator(`div#quick-replies > button.quick-reply[value="${label}"]`);
  if ((await button.count()) === 0) throw new Error(`no quick reply "${label}": ${await describe(page)}`);
  await submit(page, `div#quick-replies > button.quick-reply[value="${label}"]`, `quick reply ${label}`);
}

/** The texts of the bot's and staff's messages on the chat page. */
async function chatTexts(page) {
  return page.locator('ol#messages > li.msg .text').evaluateAll((items) => items.map((i) => i.textContent.trim()));
}

/** The current state of a case as its page shows it (`#case-state[data-state]` or its text). */
async function caseState(page) {
  const state = page.locator('#case-state');
  return (await state.getAttribute('data-state')) || (await state.innerText()).trim();
}

/** Presses a case page's move button `advance:<to>`, confirming where the console asks. */
async function advance(page, to) {
  await submit(page, `form.transition button[name=transition][value="advance:${to}"]`, `move to ${to}`);
  if ((await page.locator('form#confirm-form').count()) > 0) await submit(page, 'button#confirm', 'confirmation');
}

scenario('the safe-exit path, from the web intake to the outcome', async (s, t) => {
  const dir = env().screenshotDir;
  mkdirSync(dir, { recursive: true });

  // The applicant registers with the bot, without JavaScript.
  const applicant = await s.newPage({ label: 'applicant', js: false, viewport: { width: 320, height: 640 } });
  await openChat(applicant);
  // The first message, typed in Cyrillic, answers the greeting's language question with Russian.
  await applicant.locator('textarea#message').fill('Здравствуйте');
  await submit(applicant, 'button#send', 'the first message');
  for (const label of ['Военный', 'На фронте', 'Подать заявку', 'Да, подать', 'Не сейчас']) {
    await press(applicant, label);
  }
  const said = await chatTexts(applicant);
  const codename = said.find((text) => CODENAME.test(text));
  assert.ok(codename, `a codename in the chat: ${JSON.stringify(said)}`);

  // The coordinator finds the case unassigned and gives it to the specialist.
  const coordinator = await s.newPage({ label: 'coordinator', viewport: { width: 1280, height: 900 } });
  await login(coordinator, env().coordinator);
  await gotoOk(coordinator, '/console/cases?lang=ru', 'cases, as the coordinator');
  const link = coordinator.locator('table#unassigned tr.unassigned-item a').first();
  await hook(coordinator, 'table#unassigned tr.unassigned-item a', 'the unassigned case');
  const casePath = await link.getAttribute('href');
  assert.match(casePath, /^\/console\/cases\/[0-9a-f-]{36}$/);
  await gotoOk(coordinator, `${casePath}?lang=ru`, 'the case, as the coordinator');
  await coordinator.locator('select#assign-to').selectOption({ label: env().specialist.name });
  await submit(coordinator, 'button#assign-submit', 'assign');

  const specialist = await s.newPage({ label: 'specialist', viewport: { width: 1280, height: 900 } });
  await login(specialist, env().specialist);
  await gotoOk(specialist, '/console/cases?lang=ru', 'my cases');
  await hook(specialist, `a[href="${casePath}"]`, 'the assigned case in my cases');
  await gotoOk(specialist, `${casePath}?lang=ru`, 'the case, as the specialist');
  await advance(specialist, 'registered');
  assert.equal(await caseState(specialist), 'registered');

  // Weeks later, another device: the codename, then "I have been deployed".
  const returning = await s.newPage({ label: 'returning applicant', js: false, viewport: { width: 320, height: 640 } });
  await openChat(returning);
  await returning.locator('input#codename').fill(codename);
  await submit(returning, 'button#codename-submit', 'codename');
  await press(returning, 'Меня отправили на фронт');
  await gotoOk(specialist, `${casePath}?lang=ru`, 'the case after the report');
  await hook(specialist, '#deployed-reported', 'the applicant\'s deployed report on the case');
  await submit(specialist, 'button#confirm-deployed', 'confirm deployed');
  assert.equal(await caseState(specialist), 'deployed');

  // The applicant sends the place as an MGRS reference, by the location form.
  await gotoOk(returning, '/chat/location?lang=ru', 'the location form');
  await returning.locator('input#location-place').fill(MGRS);
  await submit(returning, 'button#location-send', 'send the location');

  // The specialist sees it, on the map, and marks the case located.
  await gotoOk(specialist, `${casePath}?lang=ru`, 'the case with a location');
  await hook(specialist, '#case-map svg', 'the case map');
  assert.ok((await specialist.locator('ol#location-history').innerText()).includes(MGRS), 'the MGRS reference in the history');
  const foreign = await specialist.locator('#case-map').evaluate((figure) =>
    [...figure.querySelectorAll('[href], [src]')].map((e) => e.getAttribute('href') || e.getAttribute('src'))
      .filter((ref) => !ref.startsWith('#')));
  assert.deepEqual(foreign, [], 'the map refers to nothing outside itself');
  await specialist.locator('#case-map').screenshot({ path: path.join(dir, 'case-map.png') });
  t.diagnostic(`saved ${path.join(dir, 'case-map.png')}`);
  await advance(specialist, 'located');
  assert.equal(await caseState(specialist), 'located');

  // The coordinator writes the plan and submits it; as its author, no approval is offered, and
  // a forced one is refused.
  await gotoOk(coordinator, `${casePath}/plan?lang=ru`, 'the plan form');
  const fields = {
    rendezvous: '48.0159, 37.8028',
    window_from: '2030-05-01T21:00',
    window_to: '2030-05-01T23:30',
    signals: 'Белая ткань на левой руке; ответ — три стука',
    instructions: 'Идите к водонапорной башне после 21:00. Телефон выключите.',
    avoid: 'Главная дорога через село',
    risks: 'Дроны в сумерках',
  };
  for (const [name, value] of Object.entries(fields)) {
    await coordinator.locator(`form#plan-form [name=${name}]`).fill(value);
  }
  await submit(coordinator, 'button#plan-save', 'save the plan');
  await gotoOk(coordinator, `${casePath}?lang=ru`, 'the case after the plan');
  await submit(coordinator, 'button#plan-submit', 'submit the plan');
  await hook(coordinator, '#plan-own', 'the note that another coordinator must approve');
  assert.equal(await coordinator.locator('form#plan-approve-form').count(), 0, 'no approval offered to the author');
  const plan = await coordinator.locator('#plan-newest').getAttribute('data-plan');
  const csrf = await coordinator.locator('input[name=csrf]').first().inputValue();
  const forced = await coordinator.request.post(new URL(`${casePath}/plan/approve?lang=ru`, env().baseUrl).toString(), {
    form: { csrf, plan, confirm: '1' },
    headers: { origin: env().origin },
    maxRedirects: 0,
  });
  assert.equal(forced.status(), 403, 'the author cannot approve their own plan');
  assert.ok((await forced.text()).includes('Вы написали этот план'), 'refused for four eyes, not for anything else');

  // The second coordinator approves it, after a confirmation.
  const second = await s.newPage({ label: 'second coordinator', viewport: { width: 1280, height: 900 } });
  await login(second, env().secondCoordinator);
  await gotoOk(second, `${casePath}?lang=ru`, 'the case, as the second coordinator');
  await submit(second, 'button#plan-approve', 'approve');
  await submit(second, 'button#confirm', 'confirm the approval');
  assert.equal(await caseState(second), 'plan_approved');

  // The specialist sends the instructions; the applicant reads them.
  await gotoOk(specialist, `${casePath}?lang=ru`, 'the approved case');
  await submit(specialist, 'button#plan-send', 'send the instructions');
  await gotoOk(returning, '/?lang=ru', 'the chat after the instructions');
  assert.ok((await chatTexts(returning)).some((m) => m.includes('водонапорной башне')), 'the applicant reads the instructions');

  // The first coordinator hands it off.
  await gotoOk(coordinator, `${casePath}?lang=ru`, 'the approved case, as the first coordinator');
  await submit(coordinator, 'button#handoff', 'hand off');
  await submit(coordinator, 'button#confirm', 'confirm the hand-off');
  assert.equal(await caseState(coordinator), 'handed_off');
  await coordinator.screenshot({ path: path.join(dir, 'case-exit-path.png'), fullPage: true });
  t.diagnostic(`saved ${path.join(dir, 'case-exit-path.png')}`);

  // Operations: the package and nothing else.
  const unit = await s.newPage({ label: 'operations', viewport: { width: 1280, height: 900 } });
  await login(unit, env().operations);
  const caseId = casePath.split('/').pop();
  await gotoOk(unit, `/console/handoffs/${caseId}?lang=ru`, 'the package');
  await hook(unit, '#package-map svg', 'the package map');
  const packageText = await unit.locator('main').innerText();
  assert.ok(packageText.includes('водонапорной башне'), 'the plan is in the package');
  assert.ok(!packageText.includes(codename) && !packageText.includes('Военный'), 'no codename, no transcript');
  await unit.screenshot({ path: path.join(dir, 'package.png'), fullPage: true });
  t.diagnostic(`saved ${path.join(dir, 'package.png')}`);
  const casePage = await unit.goto(new URL(`${casePath}`, env().baseUrl).toString());
  assert.equal(casePage.status(), 403, 'operations never open the case page');
  for (const status of ['accepted', 'under_way', 'completed']) {
    await gotoOk(unit, `/console/handoffs/${caseId}?lang=ru`, `the package before "${status}"`);
    await submit(unit, `form#report-form button[name=status][value="${status}"]`, `report ${status}`);
  }

  // The specialist records the exit and its outcome.
  await gotoOk(specialist, `${casePath}?lang=ru`, 'the completed case');
  await submit(specialist, 'button#record-exit', 'record the exit');
  await submit(specialist, 'button#confirm', 'confirm the exit');
  assert.equal(await caseState(specialist), 'exited');
  await specialist.locator('select#outcome-arrival').selectOption('prisoner_of_war');
  await submit(specialist, 'form#outcome-arrival-form button', 'arrival');
  await submit(specialist, 'form#outcome-guarantees-form button', 'guarantees explained');
  const facts = await specialist.locator('ol#outcome-facts > li').count();
  assert.ok(facts >= 2, `the outcome facts on the case: ${await describe(specialist)}`);
});
