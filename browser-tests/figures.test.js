// Scenario: the analyst's figures and the public figures page. The analyst lands on the
// dashboard, changes the period, reads it in Russian, and reaches no case, conversation or
// location by any URL; the dashboard and the public page pass axe-core with no serious or
// critical violation, read without JavaScript, and are saved as screenshots.

import assert from 'node:assert/strict';
import path from 'node:path';
import { env, scenario, login, gotoOk, hook, url, axeViolations, axeReport, BLOCKING } from './lib/helpers.js';

const SOME_ID = '0190f7a2-0000-7000-8000-000000000000';

scenario('figures: the analyst\'s dashboard and the public page, as their readers see them', async (s, t) => {
  const dir = env().screenshotDir;
  const failures = [];
  const check = async (page, where) => {
    const blocking = (await axeViolations(page)).filter((v) => BLOCKING.has(v.impact));
    if (blocking.length > 0) failures.push(`${where}:\n${axeReport(where, blocking)}`);
    else t.diagnostic(`axe: ${where} has no serious or critical violation`);
  };

  const analyst = await s.newPage({ label: 'analyst', bypassCSP: true, viewport: { width: 1280, height: 900 } });
  await login(analyst, env().analyst);
  assert.match(analyst.url(), /\/console\/figures$/, 'an analyst lands on the figures');
  await hook(analyst, 'section#figure-contacts svg[role=img]', 'the contacts chart');
  await hook(analyst, 'table#table-who', 'the table of who applicants are');
  await hook(analyst, 'table#table-staffing', 'the staffing table');
  await check(analyst, 'the analyst\'s dashboard /console/figures');

  // A period by month, through the form (no JavaScript needed for it).
  await analyst.selectOption('select#figures-by', 'month');
  await analyst.click('form#figures-range button[type=submit]');
  await analyst.waitForURL(/by=month/);
  assert.equal(await analyst.locator('select#figures-by').inputValue(), 'month', 'the page keeps the period it shows');
  const csv = await analyst.locator('a#figures-csv').getAttribute('href');
  assert.match(csv, /by=month/, 'the download is of the period shown');

  await gotoOk(analyst, '/console/figures?lang=ru', 'the dashboard in Russian');
  await hook(analyst, 'h1', 'the title');
  assert.match(await analyst.locator('h1').innerText(), /Статистика/);
  await analyst.screenshot({ path: path.join(dir, 'figures.png'), fullPage: true });

  // Need to know: no case, conversation, location or hand-off is reachable by the analyst.
  for (const p of [
    '/console/queue', '/console/cases', `/console/cases/${SOME_ID}`, `/console/conversations/${SOME_ID}`,
    `/console/cases/${SOME_ID}/locations`, '/console/handoffs', `/console/handoffs/${SOME_ID}`,
    '/console/signals', '/console/cases/archive', '/console/admin/users', '/console/admin/figures',
  ]) {
    const response = await analyst.request.get(url(p), { maxRedirects: 0 });
    assert.ok([403, 404, 405].includes(response.status()), `an analyst GET ${p}: ${response.status()}`);
  }

  // The public page, without JavaScript, as a journalist on a phone would read it.
  const reader = await s.newPage({ label: 'reader', js: false, viewport: { width: 390, height: 844 } });
  await gotoOk(reader, '/figures?lang=ru', 'the public figures');
  await hook(reader, 'main#public-figures table#table-contacts', 'the public contacts table');
  await hook(reader, 'main#public-figures svg[role=img]', 'a public chart');
  await reader.screenshot({ path: path.join(dir, 'figures-public.png'), fullPage: true });
  const json = await reader.request.get(url('/figures.json'));
  assert.equal(json.status(), 200);
  const figures = await json.json();
  assert.ok('contacts_by_month' in figures && 'exits_by_month' in figures, JSON.stringify(figures).slice(0, 300));

  const checker = await s.newPage({ label: 'public-axe', bypassCSP: true });
  await gotoOk(checker, '/figures?lang=en', 'the public figures in English');
  await check(checker, 'the public figures /figures');

  assert.equal(failures.length, 0, `axe-core found serious or critical violations:\n${failures.join('\n')}`);
});
