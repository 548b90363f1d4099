// Shared pieces of the browser tests: settings from the environment, one headless Chromium per
// scenario, contexts that record every request leaving 127.0.0.1, bounded waits that name the
// missing hook (docs/ui-hooks.md) when a page does not have it, staff login with a computed TOTP
// code, and the applicant and operator steps the scenarios share.

import { createRequire } from 'node:module';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { totp, timeStep, STEP_SECONDS } from './totp.js';

/** No single wait in these tests is longer than this. */
export const WAIT_MS = 15_000;
/** Upper bound of one scenario (browser start, two logins with Argon2id, possibly a TOTP step). */
export const SCENARIO_MS = 120_000;

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------------
// Settings

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `environment variable ${name} is not set: run the browser tests through ` +
        '`cargo test -p safepassage-server --test browser` (it starts a server and sets them), ' +
        'or see browser-tests/README.md to run them against a server of your own',
    );
  }
  return value;
}

/** A staff account the Rust entry point created, from `<PREFIX>_NAME`, `_PASSWORD`, `_TOTP_SECRET_HEX`. */
function account(role, prefix) {
  return {
    role,
    name: required(`${prefix}_NAME`),
    password: required(`${prefix}_PASSWORD`),
    totpSecretHex: required(`${prefix}_TOTP_SECRET_HEX`),
  };
}

let cachedEnv;
/** The settings the Rust entry point (crates/server/tests/browser.rs) passes in. */
export function env() {
  if (!cachedEnv) {
    const baseUrl = required('BASE_URL').replace(/\/+$/, '');
    cachedEnv = {
      baseUrl,
      origin: new URL(baseUrl).origin,
      chromium: process.env.CHROMIUM || '/usr/bin/chromium',
      screenshotDir: process.env.SCREENSHOT_DIR || path.resolve('target/screenshots'),
      operator: {
        role: 'operator',
        name: required('OPERATOR_NAME'),
        password: required('OPERATOR_PASSWORD'),
        totpSecretHex: required('OPERATOR_TOTP_SECRET_HEX'),
      },
      specialist: {
        role: 'specialist',
        name: required('SPECIALIST_NAME'),
        password: required('SPECIALIST_PASSWORD'),
        totpSecretHex: required('SPECIALIST_TOTP_SECRET_HEX'),
      },
      coordinator: account('coordinator', 'COORDINATOR'),
      secondCoordinator: account('coordinator', 'COORDINATOR2'),
      operations: account('operations', 'OPERATIONS'),
      analyst: account('analyst', 'ANALYST'),
    };
  }
  return cachedEnv;
}

export function url(pathAndQuery) {
  return env().baseUrl + pathAndQuery;
}

/** A short random tag that makes a message text unique to one run of one scenario. */
export function tag() {
  return randomBytes(4).toString('hex');
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isLocalHost(hostname) {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

/** Whether a request URL leaves this machine (data:, blob:, about: and the like do not). */
export function leavesMachine(requestUrl) {
  let parsed;
  try {
    parsed = new URL(requestUrl);
  } catch {
    return true;
  }
  if (!['http:', 'https:', 'ws:', 'wss:', 'ftp:'].includes(parsed.protocol)) return false;
  return !isLocalHost(parsed.hostname);
}

// ---------------------------------------------------------------------------------------------
// One browser per scenario

/**
 * Declares one scenario as a `node:test` test: it gets a fresh headless Chromium (Playwright gives
 * every launch a new, empty temporary profile directory), and a `Session` to open contexts in.
 * On failure every open page is screenshotted under SCREENSHOT_DIR/failures/; in every case the
 * scenario fails when a page sent a request off 127.0.0.1 (other than `allowOrigins`).
 */
export function scenario(name, body, { timeout = SCENARIO_MS } = {}) {
  // Node's own timeout is only a backstop: ours closes the browser, so nothing is left running.
  test(name, { timeout: timeout + 30_000 }, async (t) => {
    const settings = env();
    const browser = await chromium.launch({
      executablePath: settings.chromium,
      headless: true,
      args: CHROMIUM_FLAGS,
      timeout: WAIT_MS,
    });
    const session = new Session(browser, name, t);
    let timer;
    const overdue = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`scenario "${name}" took longer than ${timeout} ms`)), timeout);
    });
    const work = body(session, t);
    work.catch(() => {}); // when overdue wins, the rejections of the abandoned steps are expected
    try {
      await Promise.race([work, overdue]);
      session.assertNoForeignRequests();
    } catch (error) {
      await session.saveFailureScreenshots();
      throw error;
    } finally {
      clearTimeout(timer);
      await browser.close().catch(() => {});
    }
  });
}

export class Session {
  constructor(browser, name, t) {
    this.browser = browser;
    this.name = name;
    this.t = t;
    this.contexts = [];
    /** Requests that left 127.0.0.1: `{ context, url }`. */
    this.foreignRequests = [];
    /** Every request URL any page of this scenario made. */
    this.requestUrls = [];
    /** Origins a scenario may navigate to off this machine (the quick exit's neutral page). */
    this.allowedOrigins = new Set();
  }

  /**
   * A fresh browser context. `js: false` is Tor Browser's Safest level. `label` names it in
   * messages ("applicant", "operator").
   */
  async newContext({ label, js = true, viewport = { width: 1024, height: 768 }, bypassCSP = false } = {}) {
    const context = await this.browser.newContext({
      javaScriptEnabled: js,
      viewport,
      bypassCSP,
      // A browser that says it prefers English: the chat must not infer its language from it.
      locale: 'en-US',
      serviceWorkers: 'block',
    });
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(WAIT_MS);
    context.label = label || `context-${this.contexts.length + 1}`;
    context.session = this;
    context.on('request', (request) => {
      const requestUrl = request.url();
      this.requestUrls.push(requestUrl);
      if (leavesMachine(requestUrl)) this.foreignRequests.push({ context: context.label, url: requestUrl });
    });
    this.contexts.push(context);
    return context;
  }

  /** A page in a new context: the usual case of one page per person. */
  async newPage(options = {}) {
    const context = await this.newContext(options);
    const page = await context.newPage();
    page.label = context.label;
    return page;
  }

  allowOrigin(origin) {
    this.allowedOrigins.add(origin);
  }

  assertNoForeignRequests() {
    const offending = this.foreignRequests.filter(({ url: u }) => !this.allowedOrigins.has(new URL(u).origin));
    assert.ok(
      offending.length === 0,
      `requests left 127.0.0.1 during "${this.name}" (no third-party asset, font, script or analytics is allowed):\n` +
        offending.map((r) => `  [${r.context}] ${r.url}`).join('\n'),
    );
  }

  async saveFailureScreenshots() {
    const dir = path.join(env().screenshotDir, 'failures');
    mkdirSync(dir, { recursive: true });
    const slug = this.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    let i = 0;
    for (const context of this.contexts) {
      for (const page of context.pages()) {
        i += 1;
        const file = path.join(dir, `${slug}-${context.label}-${i}.png`);
        try {
          await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
          this.t.diagnostic(`failure screenshot of ${context.label} (${page.url()}): ${file}`);
        } catch {
          // The page may be gone with the browser; the error itself says what went wrong.
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pages and hooks

/** What a page is showing, for error messages: URL, title and the start of its text. */
export async function describe(page) {
  let title = '';
  let text = '';
  try {
    title = await page.title();
    text = await page.evaluate(() => (document.body ? document.body.innerText : ''));
  } catch {
    // A page in the middle of navigating cannot answer; the URL is enough then.
  }
  text = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  return `${page.label ? `[${page.label}] ` : ''}${page.url()} title=${JSON.stringify(title)} text=${JSON.stringify(text)}`;
}

/** A diagnostic line in the test report, from a page of a scenario. */
export function note(page, message) {
  const session = page.context().session;
  if (session) session.t.diagnostic(message);
  else console.log(`# ${message}`);
}

/** Navigates to a path of the server and insists on a 200 answer. */
export async function gotoOk(page, pathAndQuery, what = pathAndQuery) {
  const target = pathAndQuery.startsWith('http') ? pathAndQuery : url(pathAndQuery);
  let response;
  try {
    response = await page.goto(target, { waitUntil: 'load', timeout: WAIT_MS });
  } catch (error) {
    // Chromium shows its own error page for an error status with an empty body; ask again to
    // name the status.
    const again = await page.request.get(target, { maxRedirects: 0, timeout: WAIT_MS }).catch(() => null);
    const answer = again ? `HTTP ${again.status()} ${JSON.stringify((await again.text()).slice(0, 200))}` : 'no answer';
    throw new Error(`GET ${target} (${what}) failed: ${error.message.split('\n')[0]}; it answers ${answer}`);
  }
  const status = response ? response.status() : 0;
  if (status !== 200) {
    throw new Error(
      `GET ${target} (${what}) answered HTTP ${status}, expected 200: the page is not there yet or broken — ` +
        (await describe(page)),
    );
  }
  return response;
}

/**
 * Waits (bounded) for a hook of docs/ui-hooks.md and returns its locator; when it does not come,
 * the error names the selector, what it is for and what the page shows instead.
 */
export async function hook(page, selector, what, { timeout = WAIT_MS, state = 'attached' } = {}) {
  const locator = page.locator(selector).first();
  try {
    await locator.waitFor({ state, timeout });
  } catch {
    throw new Error(
      `missing hook \`${selector}\` (${what}, docs/ui-hooks.md) after ${timeout} ms on ${await describe(page)}`,
    );
  }
  return locator;
}

/** Waits for a message with `text` in a list of messages (`ol#messages` or `ol#transcript`). */
export async function waitForMessage(page, listSelector, fromClass, text, what, timeout = WAIT_MS) {
  const selector = `${listSelector} > li.msg.${fromClass}`;
  const locator = page.locator(selector).filter({ hasText: text }).first();
  try {
    await locator.waitFor({ state: 'attached', timeout });
  } catch {
    const present = await page
      .locator(`${listSelector} > li`)
      .evaluateAll((items) => items.map((li) => `${li.className}: ${li.innerText.trim().slice(0, 80)}`))
      .catch(() => []);
    throw new Error(
      `${what}: no \`${selector}\` containing ${JSON.stringify(text)} after ${timeout} ms. ` +
        `Items in ${listSelector}: ${JSON.stringify(present)}. Page: ${await describe(page)}`,
    );
  }
  return locator;
}

// ---------------------------------------------------------------------------------------------
// Applicant

/** Opens the chat (Russian unless `lang` says otherwise) and checks its hooks. */
export async function openChat(page, { lang } = {}) {
  await gotoOk(page, lang ? `/?lang=${lang}` : '/', 'applicant chat');
  await hook(page, 'ol#messages', 'message list');
  await hook(page, 'form#send-form', 'send form');
  await hook(page, 'textarea#message[name=text]', 'message box');
  await hook(page, 'form#send-form input[name=lang]', 'hidden language field of the send form');
  await hook(page, 'button#send', 'send button');
  await hook(page, 'form#quick-exit-form[method=post] button#quick-exit', 'quick-exit button (a form posting to /chat/exit)');
  await hook(page, 'nav#language a[hreflang]', 'language switch');
  await hook(page, 'a#refresh', 'refresh link');
  await hook(page, 'form#codename-form[action="/chat/codename"]', 'codename form');
  await hook(page, 'input#codename[name=codename]', 'codename field');
  await hook(page, 'button#codename-submit', 'codename button');
  const shownLang = await page.locator('form#send-form input[name=lang]').inputValue();
  assert.equal(shownLang, lang || 'ru', `the chat should be in ${lang || 'Russian (the default)'}; its form says lang=${shownLang}`);
}

/** Types a message and sends it; returns once it shows in `ol#messages`. */
export async function sendAsApplicant(page, text) {
  await page.locator('textarea#message').fill(text);
  await page.locator('button#send').click();
  await waitForMessage(page, 'ol#messages', 'from-applicant', text, 'the applicant\'s own message after sending');
}

/** Asserts the chat page keeps nothing in the browser's storage. */
export async function assertNoWebStorage(page) {
  const sizes = await page.evaluate(() => ({
    localStorage: Object.keys(window.localStorage),
    sessionStorage: Object.keys(window.sessionStorage),
  }));
  assert.deepEqual(sizes, { localStorage: [], sessionStorage: [] }, `the chat page left keys in web storage on ${page.url()}`);
}

// ---------------------------------------------------------------------------------------------
// Staff

async function submitLogin(page, who, code) {
  await page.locator('form#login-form input[name=username]').fill(who.name);
  await page.locator('form#login-form input[name=password]').fill(who.password);
  await page.locator('form#login-form input[name=totp]').fill(code);
  const posted = page.waitForRequest(
    (r) => r.method() === 'POST' && new URL(r.url()).pathname.startsWith('/console/login'),
    { timeout: WAIT_MS },
  );
  await page.locator('button#login').click();
  await posted;
  await page.waitForLoadState('load', { timeout: WAIT_MS });
  // A refused login renders the form again at /console/login; an accepted one redirects away.
  try {
    await page.waitForURL((u) => !u.pathname.startsWith('/console/login'), { timeout: 3_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * The console refuses a TOTP code of a time step already used (a replay guard), and every scenario
 * logs in afresh. The scenarios run one after another in separate processes, so the last step used
 * per account is kept in a file, and a login waits for a fresh step instead of being refused
 * (refusals count towards the lock-out).
 */
function stepFile(who) {
  const key = createHash('sha256').update(`${env().baseUrl} ${who.name}`).digest('hex').slice(0, 16);
  return path.join(tmpdir(), `safepassage-browser-totp-${key}`);
}

function lastUsedStep(who) {
  try {
    return Number(readFileSync(stepFile(who), 'utf8'));
  } catch {
    return -1; // no login of this account yet in this run
  }
}

/** Sleeps until the TOTP step after `step` has begun (at most one step). */
async function sleepPastStep(page, who, step) {
  const wait = Math.max(0, Math.min((step + 1) * STEP_SECONDS * 1000 - Date.now() + 200, STEP_SECONDS * 1000 + 200));
  if (wait > 0) {
    note(page, `waiting ${wait} ms for a TOTP time step not yet used by ${who.name}`);
    await sleep(wait);
  }
}

/**
 * Logs a staff member in at /console/login with password and a TOTP code computed here, in a time
 * step not used before by this account. Should the code still be refused, it tries once more in
 * the next step.
 */
export async function login(page, who) {
  const last = lastUsedStep(who);
  if (timeStep() <= last) await sleepPastStep(page, who, last);
  for (let attempt = 1; ; attempt += 1) {
    await gotoOk(page, '/console/login', 'console login');
    await hook(page, 'form#login-form', 'login form');
    await hook(page, 'form#login-form input[name=csrf]', 'CSRF token of the login form');
    for (const name of ['username', 'password', 'totp']) {
      await hook(page, `form#login-form input[name=${name}]`, `login field ${name}`);
    }
    await hook(page, 'button#login', 'login button');
    const now = Date.now();
    const step = timeStep(now);
    writeFileSync(stepFile(who), String(step));
    if (await submitLogin(page, who, totp(who.totpSecretHex, { timeMs: now }))) return;
    if (attempt === 2) {
      throw new Error(
        `${who.role} ${who.name} could not log in with password and TOTP (codes of two time steps refused): ` +
          (await describe(page)),
      );
    }
    note(page, `${who.role} login refused with the TOTP code of step ${step}; trying once more in the next step`);
    await sleepPastStep(page, who, step);
  }
}

/** Conversation ids in the queue as the page shows them (oldest first). */
export async function queueIds(page) {
  return page
    .locator('table#queue tbody tr.queue-item')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-conversation')));
}

/** Opens the queue and checks its hooks. */
export async function openQueue(page) {
  await gotoOk(page, '/console/queue', 'operator queue');
  await hook(page, 'table#queue', 'queue table');
}

/**
 * The id of a conversation that joined the queue after `before` was taken, reloading the queue
 * page until it shows (bounded). With several new ones, the newest (the last row).
 */
export async function waitForNewQueueItem(page, before, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    await openQueue(page);
    const fresh = (await queueIds(page)).filter((id) => !before.includes(id));
    if (fresh.length > 0) return fresh[fresh.length - 1];
    if (Date.now() > deadline) {
      throw new Error(
        `no new \`table#queue tbody tr.queue-item[data-conversation]\` within ${timeout} ms after the applicant wrote; ` +
          `queue had ${JSON.stringify(before)}. Page: ${await describe(page)}`,
      );
    }
    await sleep(500);
  }
}

/** Checks a queue row's hooks and takes it; ends on the conversation page. */
export async function takeConversation(page, conversationId, applicantText) {
  const row = await hook(page, `table#queue tbody tr.queue-item[data-conversation="${conversationId}"]`, 'queue row');
  const missingCells = [];
  for (const cell of ['.waiting', '.language', '.channel']) {
    if ((await row.locator(cell).count()) === 0) missingCells.push(cell);
  }
  if (missingCells.length > 0) {
    throw new Error(
      `missing hooks ${missingCells.map((c) => `\`${c}\``).join(', ')} (waiting time, language, channel) ` +
        `in queue row ${conversationId}: ${await describe(page)}`,
    );
  }
  const take = row.locator('form.take button.take');
  if ((await take.count()) === 0) {
    throw new Error(`missing hook \`form.take button.take\` (take button) in queue row ${conversationId}: ${await describe(page)}`);
  }
  const conversationPath = `/console/conversations/${conversationId}`;
  const posted = page.waitForRequest((r) => r.method() === 'POST', { timeout: WAIT_MS });
  await take.click();
  await posted;
  // Taking should lead to the conversation; if it leads back to the queue, open it from there.
  await page.waitForURL((u) => u.pathname === conversationPath, { timeout: 5_000 }).catch(() => {});
  if (new URL(page.url()).pathname !== conversationPath) await gotoOk(page, conversationPath, 'taken conversation');
  await hook(page, 'ol#transcript', 'transcript');
  await hook(page, 'form#close-form', 'close form of the conversation');
  await waitForMessage(page, 'ol#transcript', 'from-applicant', applicantText, 'the taken conversation\'s transcript');
}

/**
 * Replies on the open conversation page; returns the time of the click on `#send-reply`, once the
 * reply shows in the operator's transcript.
 */
export async function replyAsStaff(page, text) {
  await hook(page, 'form#reply-form', 'reply form');
  await hook(page, 'form#reply-form input[name=csrf]', 'CSRF token of the reply form');
  const box = await hook(page, 'textarea#reply[name=text]', 'reply box');
  await box.fill(text);
  const button = await hook(page, 'button#send-reply', 'send-reply button');
  const clickedAt = Date.now();
  await button.click();
  await waitForMessage(page, 'ol#transcript', 'from-staff', text, 'the reply in the operator\'s transcript');
  return clickedAt;
}

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core');
export const BLOCKING = new Set(['serious', 'critical']);

/** axe-core's violations on the page (the page's context must bypass the CSP to load it). */
export async function axeViolations(page) {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
    }));
  });
}

/** The violations as lines for a test's message. */
export function axeReport(where, violations) {
  return violations
    .map((v) => `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
      v.nodes.map((n) => `      at ${n.target}: ${n.html}\n        ${(n.summary || '').replace(/\n/g, '\n        ')}`).join('\n'))
    .join('\n') || `  (none on ${where})`;
}
