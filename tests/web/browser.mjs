// What the browser tests share: Debian's Chromium through playwright-core, screenshots, and
// signing in at the real OpenID Connect provider. Environment: BASE_URL (Ketenpoort's https
// address), ISSUER (the provider's issuer), SHOTS (a directory for screenshots).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const { BASE_URL, ISSUER, SHOTS } = process.env;

export const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let shot = 0;
let checked = 0;

/**
 * axe-core (WCAG 2.1 A and AA) on the page as it is now; throws naming every violation.
 * Evaluated through the browser's debugging protocol, so the pages' CSP (no scripts) stays on.
 */
export async function axe(page, what) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  checked += 1;
  if (violations.length > 0) throw new Error(`axe-core on ${what} (${page.url()}):\n  ${violations.join('\n  ')}`);
}

/** At 390 px wide (a phone) the page must not scroll sideways. */
export async function narrow(page, what) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(size);
  if (wide > 390) throw new Error(`${what} (${page.url()}) is ${wide} px wide at 390 px: it scrolls sideways`);
}

/**
 * A page checked as every page is: axe-core and 390 px in its language, then — when it can be
 * asked for again by GET — the same in the other language, in a tab of the same session.
 */
export async function check(page, what) {
  await axe(page, what);
  await narrow(page, what);
  const url = new URL(page.url());
  const lang = await page.evaluate(() => document.documentElement.lang);
  const other = lang === 'en' ? 'nl' : 'en';
  const twin = await page.context().newPage();
  try {
    url.searchParams.set('lang', other);
    const response = await twin.goto(url.toString());
    if (response && response.request().method() === 'GET' && (await twin.evaluate(() => document.documentElement.lang)) === other) {
      await axe(twin, `${what} (${other})`);
      await narrow(twin, `${what} (${other})`);
    }
    // The switch is remembered in a cookie: switch back for the rest of the story.
    url.searchParams.set('lang', lang);
    await twin.goto(url.toString());
  } finally {
    await twin.close();
  }
}

/** A full-page screenshot, numbered in order, named after the step; the page is checked too. */
export async function snap(page, name) {
  shot += 1;
  await page.screenshot({ path: `${SHOTS}/${String(shot).padStart(2, '0')}-${name}.png`, fullPage: true });
  await check(page, name);
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
    console.log(`${name} complete, ${shot} screenshots, ${checked} pages clean under axe-core`);
    await browser.close();
  } catch (error) {
    console.error(`${name} failed: ${error.message}`);
    await browser.close();
    process.exit(1);
  }
}
