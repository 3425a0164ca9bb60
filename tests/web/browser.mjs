// What the browser tests share: Debian's Chromium through playwright-core, screenshots, and
// signing in at the real OpenID Connect provider. Environment: BASE_URL (Ketenpoort's https
// address), ISSUER (the provider's issuer), SHOTS (a directory for screenshots).
import { chromium } from 'playwright-core';

export const { BASE_URL, ISSUER, SHOTS } = process.env;

export const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let shot = 0;
/** A full-page screenshot, numbered in order, named after the step. */
export async function snap(page, name) {
  shot += 1;
  await page.screenshot({ path: `${SHOTS}/${String(shot).padStart(2, '0')}-${name}.png`, fullPage: true });
}

export function shots() {
  return shot;
}

export function expect(condition, what) {
  if (!condition) throw new Error(`expected: ${what}`);
}

/** A person in a browser context of their own, signed in at the provider as `subject`. */
export async function signIn(subject, landing = '/app') {
  // The development certificates are not in the browser's trust store.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'nl-NL' });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/signin`);
  await snap(page, `${subject}-signin`);
  await page.getByRole('link', { name: /Inloggen: Test IdP/ }).click();
  await page.fill('input[name=login]', subject);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  // The provider's consent step, when it asks.
  if (page.url().startsWith(ISSUER)) {
    await page.click('button[type=submit]');
  }
  await page.waitForURL(`${BASE_URL}${landing}`);
  await snap(page, `${subject}-home`);
  return page;
}

/** Runs a story: prints `<name> complete` and exits 0, or prints the failing step and exits 1. */
export async function run(name, story) {
  try {
    await story();
    console.log(`${name} complete, ${shot} screenshots`);
    await browser.close();
  } catch (error) {
    console.error(`${name} failed: ${error.message}`);
    await browser.close();
    process.exit(1);
  }
}
