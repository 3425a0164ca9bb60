// The auditor's story in a real browser, signed in with a real OpenID Connect provider.
// Started by tests/api/browser.rs with BASE_URL, ISSUER, SHOTS, BSN and BIRTH_DATE (the youth
// of the history the test set up: a refused answer asked in advance, a refused send, then the
// send allowed on consent). The school's auditor searches the refusals, opens one entry, makes
// the youth's disclosure report in Dutch and in English and verifies the log. Every page is
// snapped, and so checked by axe-core and at 390 px. Prints `audit story complete`.
import { BASE_URL, expect, run, signIn, snap } from './browser.mjs';

const { BSN, BIRTH_DATE } = process.env;
const MONTHS = {
  nl: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};
/** A date as the pages write it: "15 maart 2012". */
const day = (iso, lang) => {
  const [year, month, date] = iso.split('-').map(Number);
  return `${date} ${MONTHS[lang][month - 1]} ${year}`;
};
/** A time as the pages write it: "3 december 2026 07:36". */
const WHEN = new RegExp(`\\d{1,2} (${MONTHS.nl.join('|')}) \\d{4} \\d{2}:\\d{2}`);
const CODES = ['actor_org_kind', 'prev_hash', 'consent_missing', 'help_started', 'family_worker', 'neighbourhood_team', '+00:00:00'];

/** The page as a phone shows it, screenshot at 390 px (snap checks it at 390 px as well). */
async function phone(page, name) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, `${name}-390`);
  await page.setViewportSize(size);
}

/** Makes the disclosure report from the form on /audit; the button's words are the page's. */
async function report(page, button) {
  await page.locator('#report-bsn').fill(BSN);
  await page.locator('#report-birth').fill(BIRTH_DATE);
  await page.getByRole('button', { name: button }).click();
  await page.waitForURL(`${BASE_URL}/audit/report`);
}

await run('audit story', async () => {
  const auditor = await signIn('auditor-school', '/audit');

  // Search: the refusals the school's part of the log holds, chosen from words.
  await auditor.locator('#decision').selectOption({ label: 'geweigerd' });
  await auditor.locator('#search').getByRole('button', { name: 'Zoeken' }).click();
  const results = auditor.locator('#results tbody tr');
  expect(await results.count() === 2, `two refusals (${await results.count()})`);
  const table = await auditor.locator('#results').textContent();
  expect(table.includes('toestemming ontbreekt') && table.includes('Buurtteam Oost (gezinswerker)'), 'the reason and the actor in words');
  expect(table.includes('vooraf gevraagd besluit') && table.includes('besluit over een uitwisseling'), 'the events in words');
  expect(WHEN.test(table), `times as people read them: ${table}`);
  expect(!CODES.some((code) => table.includes(code)), `no codes in the results: ${table}`);
  await snap(auditor, 'search-refusals');
  await phone(auditor, 'search-refusals');

  // One entry: every field in words, its hash, its predecessor's hash and the checkpoint.
  await results.first().getByRole('link').click();
  expect((await auditor.locator('#hash').textContent()).length === 64, 'the entry hash');
  expect(await auditor.getByText('hash van de vorige regel').isVisible(), "the predecessor's hash");
  const entry = await auditor.locator('#entry').textContent();
  expect(entry.includes('soort organisatie van de actor') && entry.includes('buurtteam'), 'field and org kind in words');
  expect(entry.includes('reden van weigering') && entry.includes('toestemming ontbreekt'), 'the reason in words');
  expect(WHEN.test(entry), 'the time in words');
  expect(!['actor_org_kind', 'prev_hash', 'consent_missing', 'neighbourhood_team'].some((code) => entry.includes(code)), `no field names: ${entry}`);
  expect((await auditor.locator('#checkpoint').textContent()).startsWith('Controlepunt bij regel'), 'the covering checkpoint');
  await snap(auditor, 'entry');
  await phone(auditor, 'entry');

  // The disclosure report for the youth, naming them as entered, with the refusals; printable.
  await auditor.goto(`${BASE_URL}/audit`);
  await report(auditor, 'Overzicht maken');
  const about = await auditor.locator('#about').textContent();
  expect(about.includes(BSN) && about.includes(day(BIRTH_DATE, 'nl')), `the youth named as entered: ${about}`);
  const lines = await auditor.locator('#disclosures').textContent();
  expect(lines.includes('stuurde Lyceum Noord “hulp gestart”, voor afstemming van zorg, op grond van toestemming'), 'the disclosure in words');
  expect(lines.includes('“hulp gestart” sturen, voor afstemming van zorg (vooraf gevraagd): geweigerd, toestemming ontbreekt'), 'the refused answer');
  expect(lines.includes('sturen, voor afstemming van zorg: geweigerd, toestemming ontbreekt. Er is niets verstuurd.'), 'the refused send');
  expect(await auditor.locator('#disclosures tr.refused').count() === 2, 'both refusals marked');
  expect(!lines.includes(BSN), 'the BSN only at the top');
  expect(!CODES.some((code) => lines.includes(code)), `no codes in the report: ${lines}`);
  await snap(auditor, 'report');
  await phone(auditor, 'report');
  await auditor.emulateMedia({ media: 'print' });
  expect(!(await auditor.locator('header').isVisible()), 'printed without the navigation');
  await snap(auditor, 'report-print');
  await auditor.emulateMedia({ media: 'screen' });

  // The same in English: the search and the report.
  await auditor.goto(`${BASE_URL}/audit?lang=en`);
  await auditor.locator('#decision').selectOption({ label: 'refused' });
  await auditor.locator('#search').getByRole('button', { name: 'Search' }).click();
  const english = await auditor.locator('#results').textContent();
  expect(english.includes('consent is missing') && english.includes('decision asked in advance'), english);
  await snap(auditor, 'search-refusals-en');
  await auditor.goto(`${BASE_URL}/audit`);
  await report(auditor, 'Make the report');
  expect((await auditor.locator('#about').textContent()).includes(day(BIRTH_DATE, 'en')), 'the birth date in English');
  const englishLines = await auditor.locator('#disclosures').textContent();
  expect(englishLines.includes('(asked in advance): refused, consent is missing. Nothing was sent.'), englishLines);
  await snap(auditor, 'report-en');

  // Verify now, back in Dutch.
  await auditor.goto(`${BASE_URL}/audit?lang=nl`);
  await auditor.getByRole('button', { name: 'Nu controleren' }).click();
  const verified = await auditor.locator('#verify-result').textContent();
  expect(verified.startsWith('Logboek intact') && verified.includes('laatste ondertekende controlepunt'), verified);
  expect(WHEN.test(verified), `the checkpoint's time in words: ${verified}`);
  await snap(auditor, 'verified');
});
