// The administrators' story in a real browser, signed in with a real OpenID Connect provider.
// Started by tests/api/web_admin.rs with BASE_URL, ISSUER, SHOTS and DEMO_URL (an app as
// `ketenpoort demo` runs it: the demo sign-in, JGZ Regio Midden the operator).
//
// The school's administrator (A. de Vries) starts disabling J. Jansen's account, reads what will
// happen, cancels, then confirms; J. Jansen's open session ends and signing in again is refused
// in words. On the demo, the operator's administrator disables an organisation the same way,
// after which its people are not offered at sign-in. The school's administrator sets its
// webhook (an address in the clear refused), its secret shown once. Every page goes through snap(): axe-core
// and the 390 px check, in Dutch and English. Prints `admin story complete` when all held.
import { BASE_URL, ISSUER, browser, expect, run, signIn, snap } from './browser.mjs';

const { DEMO_URL } = process.env;

/** Signs in at the provider as `subject` in a context of its own, without screenshots. */
async function attemptSignIn(subject) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'nl-NL' });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/signin`);
  await page.getByRole('link', { name: /Inloggen: Test IdP/ }).click();
  await page.fill('input[name=login]', subject);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  if (page.url().startsWith(ISSUER)) {
    await page.click('button[type=submit]');
  }
  await page.waitForURL((url) => url.toString().startsWith(BASE_URL));
  return page;
}

/** The row of a table whose first cell names `name` (above its id). */
function rowOf(page, table, name) {
  return page.locator(`${table} tbody tr`).filter({ has: page.locator('td:first-child', { hasText: name }) });
}

await run('admin story', async () => {
  // J. Jansen is at work when the administrator starts.
  const jansen = await attemptSignIn('jjansen');
  expect(new URL(jansen.url()).pathname === '/app', `J. Jansen is signed in (${jansen.url()})`);

  const admin = await signIn('admin-school', '/admin');
  expect((await admin.getByRole('heading', { level: 1 }).textContent()) === 'Beheer — Lyceum Noord', 'the admin page');
  for (const heading of ['Account', 'Rol', 'Inloggen via OpenID Connect', 'Status']) {
    expect(await admin.locator('#accounts').getByRole('columnheader', { name: heading, exact: true }).isVisible(), `a column ${heading}`);
  }
  const own = rowOf(admin, '#accounts', 'A. de Vries');
  expect((await own.textContent()).includes('uw eigen account'), 'the own account says why it has no button');
  expect((await own.getByRole('button').count()) === 0, 'no disable button on the own account');
  const row = () => rowOf(admin, '#accounts', 'J. Jansen');
  expect((await row().getByRole('cell', { name: 'mentor', exact: true }).count()) === 1, 'the role in words');

  // Starting to disable asks first, saying what will happen; cancelling changes nothing.
  await row().getByRole('button', { name: 'Uitschakelen: J. Jansen' }).click();
  expect((await admin.getByRole('heading', { level: 1 }).textContent()) === 'Account J. Jansen uitschakelen?', 'the question');
  expect(await admin.getByText('J. Jansen (mentor, Lyceum Noord) kan niet meer inloggen; wie nu met dit account is ingelogd, wordt bij de volgende klik uitgelogd.').isVisible(), 'what happens to J. Jansen');
  expect(await admin.getByText(/Dit kan niet ongedaan worden gemaakt/).isVisible(), 'that it cannot be undone');
  await snap(admin, 'confirm-disable-account');
  await admin.getByRole('link', { name: 'Annuleren' }).click();
  await admin.waitForURL(`${BASE_URL}/admin`);
  expect((await row().textContent()).includes('actief'), 'cancelled: J. Jansen is still active');
  await jansen.reload();
  expect(new URL(jansen.url()).pathname === '/app', 'cancelled: J. Jansen is still signed in');

  // Confirmed: the result in words, the row greyed with a badge and no button.
  await row().getByRole('button', { name: 'Uitschakelen: J. Jansen' }).click();
  await admin.getByRole('button', { name: 'Ja, account uitschakelen' }).click();
  expect((await admin.locator('.done').textContent()) === 'Account J. Jansen is uitgeschakeld.', 'the result in words');
  expect((await row().getAttribute('class')) === 'disabled', 'the row is greyed');
  expect(await row().locator('.badge.disabled', { hasText: 'uitgeschakeld' }).isVisible(), 'a disabled badge');
  expect((await row().getByRole('button').count()) === 0, 'not offered to disable again');
  await snap(admin, 'account-disabled');
  await admin.goto(`${BASE_URL}/admin`);
  await snap(admin, 'admin-after-disabling');

  // The school's own system is to be told of what arrives: an address in the clear is refused
  // in words; an https address is set, and its secret shown this once.
  expect(await admin.getByText('Er is nog geen webhook ingesteld.').isVisible(), 'no webhook yet');
  await admin.getByLabel('Adres van de webhook').fill('http://systeem.lyceum-noord.example/ketenpoort');
  await admin.getByRole('button', { name: 'Webhook opslaan' }).click();
  expect(await admin.getByText(/Een webhook-adres begint met https:\/\//).isVisible(), 'http refused in words');
  await snap(admin, 'webhook-refused');
  await admin.goto(`${BASE_URL}/admin`);
  await admin.getByLabel('Adres van de webhook').fill('https://systeem.lyceum-noord.example/ketenpoort');
  await admin.getByRole('button', { name: 'Webhook opslaan' }).click();
  expect((await admin.locator('#webhook-url').textContent()) === 'https://systeem.lyceum-noord.example/ketenpoort', 'the address set');
  expect((await admin.locator('#webhook-secret').textContent()).startsWith('whsec_'), 'the secret shown once');
  await snap(admin, 'webhook-set');
  await admin.goto(`${BASE_URL}/admin`);
  expect((await admin.locator('#webhook-secret').count()) === 0, 'and not again');
  await snap(admin, 'admin-with-webhook');

  // J. Jansen's session ends at the next click, and signing in again is refused in words.
  await jansen.reload();
  expect(new URL(jansen.url()).pathname === '/signin', `J. Jansen is signed out (${jansen.url()})`);
  const again = await attemptSignIn('jjansen');
  expect(await again.getByText('Uw account is uitgeschakeld in Ketenpoort. Vraag uw beheerder als u weer toegang nodig hebt.').isVisible(), 'told the account is disabled');
  await snap(again, 'disabled-account-signs-in');

  // The demo: its sign-in in words, then the operator's page with the region's organisations.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'nl-NL' });
  const demo = await context.newPage();
  await demo.goto(`${DEMO_URL}/signin`);
  expect(await demo.getByRole('button', { name: 'zorgcoördinator — Lyceum Noord', exact: true }).isVisible(), 'roles in words at sign-in');
  expect(await demo.getByRole('button', { name: 'mentor — OBS De Linde', exact: true }).isVisible(), 'OBS De Linde is offered');
  await snap(demo, 'demo-signin');
  await demo.getByRole('button', { name: 'beheerder — JGZ Regio Midden', exact: true }).click();
  await demo.waitForURL(`${DEMO_URL}/admin`);
  const gateway = rowOf(demo, '#orgs', 'JGZ Regio Midden');
  expect((await gateway.textContent()).includes('draait de gateway'), 'the operator says why it has no button');
  expect((await gateway.getByRole('button').count()) === 0, "no disable button on the operator's organisation");
  expect((await gateway.getByRole('cell', { name: 'jeugdgezondheidszorg', exact: true }).count()) === 1, 'the kind in words');
  await snap(demo, 'operator-admin');

  await rowOf(demo, '#orgs', 'OBS De Linde').getByRole('button', { name: 'Uitschakelen: OBS De Linde' }).click();
  expect((await demo.getByRole('heading', { level: 1 }).textContent()) === 'Organisatie OBS De Linde uitschakelen?', 'the question');
  expect(await demo.getByText(/Niemand van OBS De Linde kan nog inloggen/).isVisible(), 'what happens to its people');
  await snap(demo, 'confirm-disable-org');
  await demo.getByRole('button', { name: 'Ja, organisatie uitschakelen' }).click();
  expect((await demo.locator('.done').textContent()) === 'Organisatie OBS De Linde is uitgeschakeld.', 'the result in words');
  const linde = rowOf(demo, '#orgs', 'OBS De Linde');
  expect((await linde.getAttribute('class')) === 'disabled', 'the organisation is greyed');
  expect((await linde.getByRole('button').count()) === 0, 'not offered to disable again');
  await snap(demo, 'org-disabled');

  await demo.goto(`${DEMO_URL}/signin`);
  expect((await demo.getByRole('button', { name: /— OBS De Linde$/ }).count()) === 0, 'its people are not offered at sign-in');
  expect((await demo.getByRole('button', { name: /— Lyceum Noord$/ }).count()) > 0, 'others still are');
});
