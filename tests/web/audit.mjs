// The auditor's story in a real browser, signed in with a real OpenID Connect provider.
// Started by tests/api/browser.rs with BASE_URL, ISSUER, SHOTS, BSN and BIRTH_DATE (the youth
// of the history the test set up). The school's auditor searches the refusals, opens one entry,
// makes the youth's disclosure report and verifies the log. Prints `audit story complete`.
import { BASE_URL, expect, run, signIn, snap } from './browser.mjs';

const { BSN, BIRTH_DATE } = process.env;

await run('audit story', async () => {
  const auditor = await signIn('auditor-school', '/audit');

  // Search: the refusals the school's part of the log holds.
  await auditor.locator('#decision').selectOption('deny');
  await auditor.locator('#search').getByRole('button', { name: 'Zoeken' }).click();
  const results = auditor.locator('#results tbody tr');
  expect(await results.count() === 1, `one refusal (${await results.count()})`);
  expect((await results.first().textContent()).includes('toestemming ontbreekt'), 'the reason in words');
  await snap(auditor, 'search-refusals');

  // One entry: its hash, its predecessor's hash and the checkpoint that covers it.
  await results.first().getByRole('link').click();
  expect((await auditor.locator('#hash').textContent()).length === 64, 'the entry hash');
  expect(await auditor.getByText('prev_hash').isVisible(), "the predecessor's hash");
  expect((await auditor.locator('#checkpoint').textContent()).startsWith('Regel'), 'the covering checkpoint');
  await snap(auditor, 'entry');

  // The disclosure report for the youth, printable.
  await auditor.goto(`${BASE_URL}/audit`);
  await auditor.getByLabel('BSN').last().fill(BSN);
  await auditor.locator('#report-birth').fill(BIRTH_DATE);
  await auditor.getByRole('button', { name: 'Overzicht maken' }).click();
  await auditor.waitForURL(`${BASE_URL}/audit/report`);
  const report = await auditor.locator('#disclosures').textContent();
  expect(report.includes('stuurde Lyceum Noord “hulp gestart”'), 'the disclosure in words');
  expect(report.includes('geweigerd, toestemming ontbreekt'), 'the refusal in words');
  expect(!report.includes(BSN), 'no BSN on the report');
  await auditor.emulateMedia({ media: 'print' });
  expect(!(await auditor.locator('header').isVisible()), 'printed without the navigation');
  await snap(auditor, 'report-print');
  await auditor.emulateMedia({ media: 'screen' });

  // Verify now.
  await auditor.goto(`${BASE_URL}/audit`);
  await auditor.getByRole('button', { name: 'Nu controleren' }).click();
  const verified = await auditor.locator('#verify-result').textContent();
  expect(verified.startsWith('Logboek intact') && verified.includes('laatste ondertekende controlepunt'), verified);
  await snap(auditor, 'verified');
});
