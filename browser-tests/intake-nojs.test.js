// Scenario 7: the shipped flows (flows/safepassage.json) end to end without JavaScript. An
// applicant with JavaScript disabled (Tor Browser, Safest) opens the chat in Russian at 320 px and
// answers the intake by pressing the bot's quick-reply buttons (plain form buttons) and by typing:
// serviceman, at the front, register. In Registration they consent, receive a codename (16 digits
// in groups of four, Luhn check digit) and set a duress phrase, which the transcript shows hidden;
// the ticket with topic Registration queues the conversation. Every step is a form post answered
// 303 to /?lang=ru (post/redirect/get) and no script request is made. An operator (with
// JavaScript) finds the conversation in the queue, opens it and sees the bot's results (role,
// situation, want, topic), and nowhere the duress phrase.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import {
  env, url, scenario, login, openQueue, queueIds, waitForNewQueueItem, openChat, hook, describe, assertNoWebStorage,
  WAIT_MS,
} from './lib/helpers.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core');
const BLOCKING = new Set(['serious', 'critical']);
const CODENAME = /^\d{4} \d{4} \d{4} \d{4}$/;

/** The Luhn check over all 16 digits (crates/domain/src/codename.rs). */
function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A word of random Cyrillic letters: makes the duress phrase unique without digits. */
function cyrillicWord(length = 7) {
  const letters = 'абвгдежзиклмнопрстуфхцчшэюя';
  let word = '';
  for (let i = 0; i < length; i += 1) word += letters[randomInt(letters.length)];
  return word;
}

/** The chat's messages as the page shows them: `{ from, text }` in order. */
async function messages(page) {
  return page.locator('ol#messages > li.msg').evaluateAll((items) => items.map((li) => ({
    from: ['applicant', 'bot', 'staff'].find((f) => li.classList.contains(`from-${f}`)) || li.className,
    text: (li.querySelector('.text')?.textContent || '').trim(),
  })));
}

/** The bot's messages after the applicant's latest one. */
async function botReplies(page) {
  const all = await messages(page);
  let last = -1;
  all.forEach((m, i) => {
    if (m.from === 'applicant') last = i;
  });
  return all.slice(last + 1).map((m) => {
    assert.equal(m.from, 'bot', `only the bot should answer during the intake, got ${JSON.stringify(m)} on ${page.url()}`);
    return m.text;
  });
}

/** The labels of the quick-reply buttons, checking they are plain submit buttons of a plain form. */
async function buttons(page) {
  const form = page.locator('form#quick-replies-form');
  if ((await form.count()) === 0) return [];
  assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post', 'form#quick-replies-form must be method=post');
  assert.equal(await form.getAttribute('action'), '/chat/send', 'form#quick-replies-form must post to /chat/send');
  assert.equal(await form.locator('input[type=hidden][name=lang]').inputValue(), 'ru', 'the buttons\' form must carry lang=ru');
  const found = await form.locator('div#quick-replies > button.quick-reply').evaluateAll((items) => items.map((b) => ({
    type: b.getAttribute('type'), name: b.getAttribute('name'), value: b.getAttribute('value'), label: b.textContent.trim(),
  })));
  for (const b of found) {
    assert.deepEqual(
      { type: b.type, name: b.name, value: b.value },
      { type: 'submit', name: 'text', value: b.label },
      `a quick reply must be <button type=submit name=text value=<label>> (works without JavaScript): ${JSON.stringify(b)}`,
    );
  }
  return found.map((b) => b.label);
}

/**
 * Submits a form by `act` and follows it as the browser does: the POST to /chat/send must carry
 * `text` and lang=ru and be answered 303 to /?lang=ru, and the page must load again.
 */
async function post(page, text, act, what) {
  const posted = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/chat/send');
  posted.catch(() => {}); // both are awaited below, with a message that names the step
  const landed = page.waitForResponse(
    (r) => r.request().method() === 'GET' && r.request().isNavigationRequest() && new URL(r.url()).pathname === '/',
  );
  landed.catch(() => {});
  await act();
  const request = await posted.catch(async () => {
    throw new Error(`${what}: no POST /chat/send within ${WAIT_MS} ms (a control that needs JavaScript?): ${await describe(page)}`);
  });
  const form = new URLSearchParams(request.postData() || '');
  assert.equal(form.get('text'), text, `${what}: the form should post text=${JSON.stringify(text)}`);
  assert.equal(form.get('lang'), 'ru', `${what}: the form should post lang=ru`);
  const response = await request.response();
  assert.ok(response, `${what}: POST /chat/send got no answer`);
  assert.equal(response.status(), 303, `${what}: POST /chat/send should answer 303 (post/redirect/get)`);
  assert.equal(response.headers().location, '/?lang=ru', `${what}: the 303 should lead to /?lang=ru`);
  const back = await landed.catch(async () => {
    throw new Error(`${what}: the 303 did not lead back to the chat page within ${WAIT_MS} ms: ${await describe(page)}`);
  });
  assert.equal(back.status(), 200, `${what}: the page after the redirect answered ${back.status()}`);
  await page.waitForLoadState('load');
  await hook(page, 'ol#messages', 'message list after the redirect');
  assert.equal(await page.locator('form#send-form input[name=lang]').inputValue(), 'ru', `${what}: the page is no longer in Russian`);
}

/** Presses the quick reply `label` (it must be offered). */
async function press(page, label) {
  const offered = await buttons(page);
  assert.ok(offered.includes(label), `no quick reply ${JSON.stringify(label)}; offered ${JSON.stringify(offered)}: ${await describe(page)}`);
  const button = page.locator(`div#quick-replies > button.quick-reply[value="${label}"]`);
  await post(page, label, () => button.click(), `button ${label}`);
}

/** Types `text` in the message box and sends it with button#send. */
async function type(page, text) {
  await page.locator('textarea#message').fill(text);
  await post(page, text, () => page.locator('button#send').click(), `typed ${JSON.stringify(text)}`);
}

/** The bot's answer to the step just taken, with `expected` button labels (none: no form at all). */
async function expectStep(page, expectedButtons, what) {
  const said = await botReplies(page);
  assert.ok(said.length > 0, `${what}: the bot did not answer: ${await describe(page)}`);
  assert.deepEqual(await buttons(page), expectedButtons, `${what}: the quick replies under the bot's question`);
  return said;
}

function startsWith(text, prefix, what) {
  assert.ok(text.startsWith(prefix), `${what}: expected a message starting ${JSON.stringify(prefix)}, got ${JSON.stringify(text)}`);
}

/**
 * axe-core on what the applicant without JavaScript sees. A page with scripts off runs no timers,
 * so axe cannot run in it: the same conversation (its cookie) is opened in a second context with
 * scripts on for axe only (CSP bypassed to inject it) and the page's own script answered empty, so
 * the markup is exactly the no-JavaScript page's.
 */
async function axeBlocking(s, applicantContext) {
  const context = await s.newContext({ label: 'axe', bypassCSP: true, viewport: { width: 320, height: 640 } });
  await context.addCookies(await applicantContext.cookies());
  await context.route('**/static/chat.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }));
  const page = await context.newPage();
  page.label = 'axe';
  const response = await page.goto(url('/?lang=ru'), { waitUntil: 'load' });
  assert.equal(response?.status(), 200, 'the chat page for axe-core');
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.html.slice(0, 160)}`),
    }));
  });
  const buttonsThere = await page.locator('div#quick-replies > button.quick-reply').count();
  await context.close();
  return { violations, buttonsThere };
}

scenario('without JavaScript: the intake in Russian, registration, codename; the operator sees the results', async (s, t) => {
  const dir = env().screenshotDir;
  mkdirSync(dir, { recursive: true });

  const operator = await s.newPage({ label: 'operator', viewport: { width: 1280, height: 800 } });
  await login(operator, env().operator);
  await openQueue(operator);
  const before = await queueIds(operator);

  const applicantContext = await s.newContext({ label: 'applicant', js: false, viewport: { width: 320, height: 640 } });
  const scripted = [];
  applicantContext.on('request', (r) => {
    if (['script', 'fetch', 'xhr', 'eventsource', 'websocket'].includes(r.resourceType()) || new URL(r.url()).pathname.startsWith('/api/')) {
      scripted.push(`${r.method()} ${r.url()} (${r.resourceType()})`);
    }
  });
  const applicant = await applicantContext.newPage();
  applicant.label = 'applicant';
  await openChat(applicant); // `/`, Russian by default
  assert.equal(await applicant.locator('html').getAttribute('lang'), 'ru', 'the chat should be in Russian');
  assert.deepEqual(await buttons(applicant), [], 'no quick replies before the applicant wrote');

  // The first message, typed: it opens the conversation, and its Cyrillic letters answer the
  // greeting's language question with Russian.
  await type(applicant, 'Здравствуйте');
  const first = await messages(applicant);
  startsWith(first[0]?.text || '', 'Здравствуйте. Это служба помощи', 'the intake\'s greeting');
  assert.equal(first[0].from, 'bot', 'the greeting is the bot\'s');
  let said = await expectStep(applicant, ['Военный', 'Родственник', 'Другое'], 'after the first message');
  startsWith(said[0], 'Кто вы?', 'who is writing');
  const cookies = await applicantContext.cookies();
  assert.deepEqual(cookies.map((c) => c.name), ['sp_chat'], 'the first post sets the sp_chat cookie (and only it)');

  await press(applicant, 'Военный');
  said = await expectStep(applicant, ['Ещё не призван', 'Призван, на обучении', 'На фронте', 'Скрываюсь'], 'after «Военный»');
  startsWith(said[0], 'Ваше положение сейчас?', 'the situation question');

  // An answer typed instead of pressed: recognised by its words.
  await type(applicant, 'Я сейчас на фронте');
  said = await expectStep(applicant, ['Задать вопрос', 'Подать заявку', 'Срочная помощь'], 'after typing «на фронте»');
  startsWith(said[0], 'Чем помочь?', 'what they want');
  const intake = (await messages(applicant)).filter((m) => m.from === 'bot').map((m) => m.text).join('\n');
  assert.doesNotMatch(intake, /сдач|сдать|плен/i, 'the intake mentions surrender or captivity before the person chose to read on');

  await press(applicant, 'Подать заявку');
  said = await expectStep(applicant, ['Да, подать', 'Пока нет', 'Связаться с оператором'], 'after «Подать заявку»');
  assert.equal(said.length, 4, `Registration: three messages and the consent question, got ${JSON.stringify(said)}`);
  startsWith(said[0], 'Как это устроено', 'how it works');
  assert.ok(said[1].includes('Женевским конвенциям') && said[1].includes('медицинская помощь'), `what the law guarantees: ${said[1]}`);
  assert.ok(said[2].includes('обмен'), `what happens after: ${said[2]}`);
  startsWith(said[3], 'Подать заявку и получить кодовое имя?', 'consent');

  // axe-core on the page with the buttons, as the applicant without JavaScript has it.
  const { violations, buttonsThere } = await axeBlocking(s, applicantContext);
  assert.equal(buttonsThere, 3, 'axe-core checked the page with the three consent buttons');
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  if (violations.length > blocking.length) {
    t.diagnostic(`minor axe findings on the chat with buttons: ${violations.filter((v) => !BLOCKING.has(v.impact)).map((v) => v.id).join(', ')}`);
  }
  assert.deepEqual(blocking, [], 'axe-core: serious or critical violations on the chat with quick replies');

  await press(applicant, 'Да, подать');
  said = await expectStep(applicant, ['Задать фразу', 'Не сейчас'], 'after «Да, подать»');
  const coming = said.findIndex((m) => m.includes('16 цифр'));
  assert.ok(coming >= 0, `the bot says the codename is coming: ${JSON.stringify(said)}`);
  const codename = said[coming + 1] || '';
  assert.match(codename, CODENAME, `the codename, in its own message right after, in groups of four: ${JSON.stringify(said)}`);
  const digits = codename.replace(/ /g, '');
  assert.ok(luhnValid(digits), `the codename's last digit is its Luhn check digit: ${codename}`);
  assert.ok((said[coming + 2] || '').includes('в сообщении выше'), `then "in the message above": ${JSON.stringify(said)}`);
  assert.ok(said.some((m) => m.includes('в тайне')), 'how to keep it secret');
  assert.ok(said[said.length - 1].includes('тревожная фраза'), `the offer of a duress phrase: ${said[said.length - 1]}`);
  const codenameItem = applicant.locator('ol#messages > li.msg.from-bot .text', { hasText: codename });
  assert.equal(await codenameItem.count(), 1, 'the codename shows once on the page');
  assert.equal(await codenameItem.isVisible(), true, 'the codename is visible');
  t.diagnostic(`codename issued (${digits.length} digits, Luhn valid)`);

  // The screenshot for people: the codename and the buttons under the offer of a duress phrase.
  await codenameItem.scrollIntoViewIfNeeded();
  const width = await applicant.evaluate(() => document.documentElement.scrollWidth);
  const shot = path.join(dir, 'intake-nojs-ru-320.png');
  await applicant.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`saved ${shot}`);
  assert.ok(width <= 320, `the chat at 320 px is ${width} px wide: it scrolls sideways`);

  await press(applicant, 'Задать фразу');
  said = await expectStep(applicant, ['Не сейчас'], 'after «Задать фразу»');
  startsWith(said[0], 'Напишите фразу', 'the duress phrase question');

  const secret = cyrillicWord();
  const phrase = `передай привет тёте ${secret}`;
  await type(applicant, phrase);
  said = await expectStep(applicant, [], 'after the duress phrase');
  assert.ok(said[0].includes('скрыта'), `the bot says the phrase is hidden: ${JSON.stringify(said)}`);
  startsWith(said[said.length - 1], 'Заявка принята.', 'the Registration ticket');
  assert.equal(await applicant.locator('form#quick-replies-form').count(), 0, 'no buttons once the flow ended');
  const all = await messages(applicant);
  const hidden = all.filter((m) => m.from === 'applicant').pop();
  assert.ok(hidden && hidden.text.length > 0 && !hidden.text.includes(secret) && !hidden.text.includes('тёте'),
    `the applicant's message with the phrase shows only as a mark, got ${JSON.stringify(hidden)}`);
  t.diagnostic(`the duress phrase shows as ${JSON.stringify(hidden.text)}`);
  const applicantHtml = await applicant.content();
  assert.ok(!applicantHtml.includes(secret), 'the duress phrase is in the applicant\'s page');
  assert.deepEqual(
    all.filter((m) => m.from === 'applicant').map((m) => m.text).slice(0, -1),
    ['Здравствуйте', 'Военный', 'Я сейчас на фронте', 'Подать заявку', 'Да, подать', 'Задать фразу'],
    'the applicant\'s answers, in order',
  );

  await assertNoWebStorage(applicant);
  assert.deepEqual(scripted, [], 'the applicant without JavaScript made script, fetch or API requests');

  // The operator: the conversation is in the queue (not as urgent), its page shows the results.
  const conversation = await waitForNewQueueItem(operator, before);
  t.diagnostic(`conversation ${conversation}`);
  const row = await hook(operator, `table#queue tbody tr.queue-item[data-conversation="${conversation}"]`, 'queue row');
  assert.doesNotMatch((await row.getAttribute('class')) || '', /\bpriority\b/, 'a Registration ticket is not urgent');
  const queueHtml = await operator.content();
  assert.ok(!queueHtml.includes(secret), 'the duress phrase is in the queue page');
  await row.locator(`a[href="/console/conversations/${conversation}"]`).click();
  await operator.waitForURL((u) => u.pathname === `/console/conversations/${conversation}`, { timeout: WAIT_MS });
  await hook(operator, 'ol#transcript', 'transcript');
  await hook(operator, 'section#bot-results', 'what the bot learnt');
  assert.equal((await operator.locator('#bot-topic').innerText()).trim(), 'Registration', 'the ticket\'s topic');
  // Each result keeps its key (data-value) and shows the flow's category name in the reader's
  // language, never the raw key.
  const shown = await operator.locator('section#bot-results dd.bot-result[data-result]')
    .evaluateAll((items) => items.map((dd) => [dd.getAttribute('data-result'), dd.getAttribute('data-value'), dd.textContent.trim()]));
  const results = Object.fromEntries(shown.map(([name, value]) => [name, value]));
  t.diagnostic(`bot results: ${JSON.stringify(shown)}`);
  for (const [name, value, text] of shown.filter(([n]) => ['role', 'situation', 'want'].includes(n))) {
    assert.notEqual(text, value, `result ${name} is shown as its category name, not the key ${value}`);
  }
  assert.equal(results.role, 'serviceman', 'result role');
  assert.equal(results.situation, 'deployed', 'result situation');
  assert.equal(results.want, 'register', 'result want');
  assert.ok(!('duress_phrase' in results), 'the duress phrase is never among the results');
  const transcript = await operator.locator('ol#transcript > li.msg').evaluateAll((items) => items.map((li) => ({
    from: li.className, text: (li.querySelector('.text')?.textContent || '').trim(),
  })));
  for (const answer of ['Здравствуйте', 'Военный', 'Я сейчас на фронте', 'Подать заявку', 'Да, подать']) {
    assert.ok(transcript.some((m) => m.from.includes('from-applicant') && m.text === answer), `the transcript has the answer ${JSON.stringify(answer)}`);
  }
  assert.ok(transcript.some((m) => m.from.includes('from-bot') && m.text.startsWith('Заявка принята.')), 'the transcript has the bot\'s last message');
  const consoleHtml = await operator.content();
  assert.ok(!consoleHtml.includes(secret) && !consoleHtml.includes(phrase), 'the duress phrase is in the operator\'s page HTML');
  assert.doesNotMatch(consoleHtml, /duress/i, 'the operator\'s page names the duress phrase');
  t.diagnostic(`the codename is ${transcript.some((m) => m.text.includes(codename)) ? '' : 'not '}in the operator's transcript`);
});
