// The web console in a real browser (Debian's Chromium, driven by playwright-core) against a
// real weft serve fed with the example workflows' samples. Screenshots go to WEFT_SCREENSHOTS.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { env, post, startWeft, workspace } from './weft_server.mjs';

let browser;
before(async () => {
  mkdirSync(env.screenshots, { recursive: true });
  browser = await chromium.launch({ executablePath: env.chromium, args: ['--no-sandbox'] });
});
after(async () => browser?.close());

// Posts every sample line of every example source.
async function feedSamples(url) {
  const samples = join(env.workflows, 'samples');
  let accepted = 0;
  for (const file of readdirSync(samples).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(join(samples, file), 'utf8').split('\n').filter(Boolean)) {
      const r = await post(url, `/collect/${file.replace('.jsonl', '')}`, line);
      if (r.status === 200) ++accepted;
    }
  }
  return accepted;
}

async function shot(page, name) {
  await page.screenshot({ path: join(env.screenshots, `${name}.png`), fullPage: true });
}

// A source whose second node always throws: its events become dead letters.
const BROKEN_ORDERS = `id: orders
nodes:
  - id: receive
    plugin: webhook_trigger
  - id: customer
    plugin: json_path_extractor
    with: { path: $.payload.customer }
  - id: enrich
    plugin: throwing
  - id: group
    plugin: profile_grouper
`;
const FIXED_ORDERS = BROKEN_ORDERS.replace(/  - id: enrich\n    plugin: throwing\n/, '');

test('find a merged person by e-mail, see both systems, the merge, an event trace and a workflow; replay a dead letter', async () => {
  const dir = workspace({ 'orders.yaml': BROKEN_ORDERS });
  let weft = await startWeft(dir);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    assert.ok(await feedSamples(weft.url) > 10);
    const dead = await post(weft.url, '/collect/orders', '{"customer":"C-42","total":99}');
    assert.equal(dead.status, 202);

    // Overview
    const started = Date.now();
    await page.goto(`${weft.url}/ui/`);
    await page.getByTestId('tiles').getByText('live profiles').waitFor();
    const overviewMs = Date.now() - started;
    const loadMs = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
    await shot(page, '1-overview');

    // Search a person by e-mail: one profile with the Slack, GitHub and Stripe identifiers
    const searched = Date.now();
    await page.fill('#search-input', 'email:jane.doe@example.com');
    await page.press('#search-input', 'Enter');
    await page.getByTestId('identifiers').waitFor();
    const profileMs = Date.now() - searched;
    const identifiers = await page.getByTestId('identifiers').innerText();
    for (const system of ['email', 'slack', 'github', 'stripe']) assert.match(identifiers, new RegExp(`^${system}$`, 'm'));
    assert.match(identifiers, /U061F7AUR/);
    assert.match(identifiers, /cus_NffrFeUfNV2Hib/);
    // the profiles merged into it
    assert.equal((await page.getByTestId('aliases').locator('li').count()), 2);
    // the merge in the timeline, with the identifier that caused it
    const timeline = await page.getByTestId('merge-timeline').innerText();
    assert.match(timeline, /merged into/);
    assert.match(timeline, /email:jane\.doe@example\.com/);
    // the identity graph holds the profile, the merged ones and their identifiers
    const graph = page.getByTestId('identity-graph');
    await graph.locator('canvas').first().waitFor();
    assert.ok(Number(await graph.getAttribute('data-nodes')) >= 6);
    await shot(page, '2-profile');

    // An event's trace
    await page.getByTestId('event').first().locator('button.event-line').click();
    const trace = page.getByTestId('trace').first();
    await trace.waitFor();
    assert.match(await trace.innerText(), /webhook_trigger/);
    await shot(page, '3-event-trace');

    // A workflow graph with live counts
    await page.click('a[data-nav="workflows"]');
    const slack = page.getByTestId('workflow-slack');
    await slack.locator('canvas').first().waitFor();
    assert.equal(Number(await slack.getAttribute('data-nodes')), 7 + 3);  // seven nodes; stored, dropped, failed
    assert.match(await page.getByTestId('last-reload').innerText(), /Not reloaded since this weft started/);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="workflow-slack"]').dataset.events) > 0);
    await shot(page, '4-workflows');

    // The dead letter, with its error and trace
    await page.click('a[data-nav="dead-letters"]');
    const letter = page.getByTestId('dead-letter');
    await letter.waitFor();
    assert.match(await letter.innerText(), /process failed: test says so/);
    await shot(page, '5-dead-letter');

    // Fix the workflow, restart weft on the same store, replay from the console
    await weft.stop();
    writeFileSync(join(dir, 'workflows', 'orders.yaml'), FIXED_ORDERS);
    weft = await startWeft(dir);
    await page.goto(`${weft.url}/ui/#/dead-letters`);
    await letter.getByRole('button', { name: 'Replay' }).click();
    const outcome = page.getByTestId('replay-outcome');
    await outcome.waitFor();
    assert.match(await outcome.innerText(), /Processed/);
    await shot(page, '6-replayed');
    await outcome.getByRole('link').click();
    await page.getByTestId('identifiers').waitFor();
    assert.match(await page.getByTestId('identifiers').innerText(), /C-42/);

    console.log(`console timings: /ui/ loaded in ${Math.round(loadMs)} ms (overview drawn after ${overviewMs} ms); ` +
                `e-mail search to profile shown: ${profileMs} ms`);
  } finally {
    await page.close();
    await weft.stop();
  }
});

test('split two people a shared inbox joined, merge them back by hand, re-derive, read the operations log, erase', async () => {
  const dir = workspace();
  const weft = await startWeft(dir);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    for (const body of ['{"user_id":"jane","email":"info@acme.example","name":"Jane"}', '{"user_id":"joe","email":"joe@acme.example","name":"Joe"}',
      '{"user_id":"joe","email":"info@acme.example"}'])
      assert.equal((await post(weft.url, '/collect/generic', body)).status, 200);
    await page.goto(`${weft.url}/ui/`);
    await page.fill('#search-input', 'email:info@acme.example');
    await page.press('#search-input', 'Enter');
    const corrections = page.getByTestId('corrections');
    await corrections.waitFor();
    assert.match(await page.getByTestId('identifiers').innerText(), /jane[\s\S]*joe/);

    // remove the shared inbox: asked first, then two people again
    const row = corrections.getByTestId('identifier-row').filter({ hasText: 'email:info@acme.example' });
    await row.getByRole('button', { name: 'Remove…' }).click();
    const outcome = page.getByTestId('correction-outcome');
    assert.match(await outcome.innerText(), /Remove email:info@acme\.example\?/);
    await shot(page, '7-remove-confirm');
    await outcome.getByTestId('confirm').click();
    const result = page.getByTestId('operation-result');
    await result.waitFor();
    assert.match(await result.innerText(), /now 2 profiles/);
    assert.equal(await result.locator('li').count(), 2);
    await shot(page, '8-split');

    // merge them back by hand, with a reason, found by an identifier
    await result.locator('li').first().getByRole('link').click();
    await page.getByTestId('merge-other').fill('generic:joe');
    await page.getByTestId('merge-reason').fill('Joe is Jane’s alias after all');
    await corrections.getByRole('button', { name: 'Merge…' }).click();
    await outcome.getByTestId('confirm').click();
    await result.waitFor();
    assert.match(await result.innerText(), /generic:jane[\s\S]*generic:joe/);
    await result.getByRole('button', { name: 'Show this profile again' }).click();
    await page.getByTestId('merge-timeline').waitFor();
    assert.match(await page.getByTestId('merge-timeline').innerText(), /by an operator: Joe is Jane’s alias after all/);

    // re-derive: the operator's merge is part of the history
    await page.getByTestId('rederive').click();
    await outcome.getByTestId('confirm').click();
    await result.waitFor();
    assert.match(await result.innerText(), /The profile is now:[\s\S]*3 events/);

    // the log, newest first
    await page.click('a[data-nav="operations"]');
    const log = page.getByTestId('operation');
    await log.first().waitFor();
    assert.deepEqual(await log.locator('td:nth-child(2)').allInnerTexts(), ['rederive', 'merge', 'remove_identifier']);
    assert.match(await log.nth(1).innerText(), /Joe is Jane’s alias after all/);
    assert.doesNotMatch(await page.getByTestId('operations').innerText(), /info@acme/);  // no personal data in the log
    await shot(page, '9-operations');

    // erase Anna: only once her first identifier is typed
    await page.fill('#search-input', 'generic:jane');
    await page.press('#search-input', 'Enter');
    await page.getByTestId('corrections').waitFor();
    const erase = page.getByTestId('erase');
    assert.equal(await erase.isDisabled(), true);
    await page.getByTestId('erase-confirm').fill('generic:someone');
    assert.equal(await erase.isDisabled(), true);
    await page.getByTestId('erase-confirm').fill('generic:jane');
    await erase.click();
    const erased = page.getByTestId('erased');
    await erased.waitFor();
    assert.match(await erased.innerText(), /Erased: 2 profiles, 4 identifiers, 3 events, 1 merge records, 0 events of no profile/);
    await shot(page, '10-erased');
    assert.equal((await post(weft.url, '/collect/generic', '{"user_id":"jane"}')).status, 200);
    assert.equal((await (await fetch(`${weft.url}/profiles?identifier=generic:jane`)).json()).profiles.length, 0);
  } finally {
    await page.close();
    await weft.stop();
  }
});

test('the Profiles page lists the latest people, finds them as you type, and pages', async () => {
  const dir = workspace();
  const weft = await startWeft(dir);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    assert.ok(await feedSamples(weft.url) > 10);
    for (let i = 0; i < 30; ++i)
      assert.equal((await post(weft.url, '/collect/generic', `{"user_id":"bulk${i}","name":"Bulk Person ${i}"}`)).status, 200);
    await page.goto(`${weft.url}/ui/#/profiles`);
    const rows = page.getByTestId('profile-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 25);  // the first page
    assert.match(await rows.first().innerText(), /Bulk Person 29/);  // the most recently updated first
    await page.getByTestId('more-profiles').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="profile-row"]').length > 25);
    await shot(page, 'profiles-list');

    // as you type: Jane by the first letters of her e-mail, then of her name's second word
    await page.fill('[data-testid="profile-search"]', 'jane.d');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="profile-row"]').length === 1);
    assert.match(await rows.first().innerText(), /email:jane\.doe@example\.com/);
    await page.fill('[data-testid="profile-search"]', 'Doe');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="profile-row"]').length === 1);
    await shot(page, 'profiles-search');
    await page.fill('[data-testid="profile-search"]', 'U061');  // her Slack id
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="profile-row"]').length === 1);
    await rows.first().getByRole('link').click();
    await page.getByTestId('identifiers').waitFor();
    assert.match(await page.getByTestId('identifiers').innerText(), /U061F7AUR/);
    await page.goto(`${weft.url}/ui/#/profiles`);
    await page.fill('[data-testid="profile-search"]', 'zzzz');
    await page.getByTestId('no-profiles').waitFor();
  } finally {
    await page.close();
    await weft.stop();
  }
});

test('with api.token_env set, the console asks for the token and then shows the data', async () => {
  const dir = workspace();
  const weft = await startWeft(dir, { tokenEnv: 'CONSOLE_TEST_TOKEN', token: 's3cret-token' });
  const page = await browser.newPage();
  try {
    await feedSamples(weft.url);
    await page.goto(`${weft.url}/ui/#/profiles`);
    await page.fill('#search-input', 'slack:U061F7AUR');
    await page.press('#search-input', 'Enter');
    await page.getByText('This weft needs an API token').waitFor();
    // a wrong token is refused again; the right one runs the search it was asked for
    await page.fill('input[name="token"]', 'wrong');
    await page.click('form.token button');
    await page.locator('form.token input[name="token"]:not([data-used])').waitFor();
    assert.match(await page.locator('form.token').innerText(), /Authorization: Bearer/);
    await page.fill('input[name="token"]', 's3cret-token');
    await page.click('form.token button');
    await page.getByTestId('identifiers').waitFor();
    assert.match(await page.getByTestId('identifiers').innerText(), /U061F7AUR/);
    await shot(page, '7-token');
  } finally {
    await page.close();
    await weft.stop();
  }
});

test('destinations: a failed message with the answer that failed it, retried from the page until delivered; disable and enable', async () => {
  // a receiver that fails until told otherwise
  const { createServer } = await import('node:http');
  let healthy = false;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(healthy ? 200 : 500);
      res.end(healthy ? 'ok' : 'boom: the CRM is down');
    });
  });
  await new Promise((done) => receiver.listen(0, '127.0.0.1', done));
  const dir = workspace({
    'people.yaml': `id: people
nodes:
  - id: receive
    plugin: webhook_trigger
  - id: user
    plugin: json_path_extractor
    with: { path: $.payload.user }
  - id: group
    plugin: profile_grouper
  - id: send
    plugin: deliver
    with: { destination: crm, type: signup }
`,
  });
  mkdirSync(join(dir, 'destinations'));
  writeFileSync(join(dir, 'destinations', 'crm.yaml'), `id: crm\nurl: http://127.0.0.1:${receiver.address().port}/in\nretry: []\ntimeout: 2s\n`);
  const weft = await startWeft(dir);
  const page = await browser.newPage();
  try {
    assert.equal((await post(weft.url, '/collect/people', '{"user":"ann"}')).status, 200);
    // one attempt, no retries in its schedule: failed
    for (let i = 0; i < 100; ++i) {
      const { destinations } = await (await fetch(`${weft.url}/destinations`)).json();
      if (destinations[0].failed === 1) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    await page.goto(`${weft.url}/ui/#/destinations`);
    await page.waitForSelector('[data-testid="failed-message"]');
    assert.match(await page.textContent('[data-testid="destination-counts"]'), /0 pending · 1 failed · 0 delivered/);
    assert.match(await page.textContent('[data-testid="failed-response"]'), /1 attempt; last: 500 boom: the CRM is down/);
    await shot(page, 'destinations-failed');

    healthy = true;
    await page.click('[data-testid="retry-message"]');
    for (let i = 0; i < 100; ++i) {
      const { destinations } = await (await fetch(`${weft.url}/destinations`)).json();
      if (destinations[0].delivered === 1) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    await page.reload();
    await page.waitForSelector('[data-testid="destination-counts"]');
    assert.match(await page.textContent('[data-testid="destination-counts"]'), /0 pending · 0 failed · 1 delivered/);

    await page.click('[data-testid="disable"]');
    await page.waitForSelector('[data-testid="enable"]');
    assert.equal(await page.textContent('[data-testid="destination-state"]'), 'disabled');
    await shot(page, 'destinations-disabled');
    await page.click('[data-testid="enable"]');
    await page.waitForSelector('[data-testid="disable"]');
    assert.equal(await page.textContent('[data-testid="destination-state"]'), 'enabled');
  } finally {
    await page.close();
    await weft.stop();
    receiver.close();
  }
});
