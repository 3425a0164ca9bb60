// The mentor's story in a real browser (Debian's Chromium driven by playwright-core), signed in
// with a real OpenID Connect provider. Started by tests/api/browser.rs with:
//   BASE_URL  Ketenpoort's https address        ISSUER  the provider's issuer
//   BSN, BIRTH_DATE  a made-up youth            SHOTS   a directory for screenshots
// Exits 0 when every step showed what it should; prints the failing step otherwise.
import { BASE_URL, expect, run, signIn, snap } from './browser.mjs';

const { BSN, BIRTH_DATE } = process.env;

async function findYouth(page, who) {
  await page.getByRole('link', { name: 'Jeugdige zoeken' }).click();
  await page.getByLabel('BSN').fill(BSN);
  await page.getByLabel('Geboortedatum').fill(BIRTH_DATE);
  await page.getByRole('button', { name: 'Zoeken' }).click();
  await snap(page, `${who}-youth`);
}

await run('story', async () => {
  const mentor = await signIn('mentor');
  // The keyboard's first stop is the skip link, visible when focused; focus is a thick ring.
  await mentor.keyboard.press('Tab');
  const skip = await mentor.evaluate(() => {
    const link = document.activeElement;
    const box = link.getBoundingClientRect();
    const style = getComputedStyle(link);
    return { text: link.textContent, href: link.getAttribute('href'), left: box.left, outline: parseFloat(style.outlineWidth) };
  });
  expect(skip.text === 'Naar de inhoud' && skip.href === '#main' && skip.left >= 0, `the skip link comes first and shows (${JSON.stringify(skip)})`);
  expect(skip.outline >= 3, `a focus ring of at least 3 px (${skip.outline})`);
  await snap(mentor, 'mentor-skip-link');
  await mentor.keyboard.press('Enter');
  expect(await mentor.evaluate(() => document.activeElement.id) === 'main', 'the skip link moves focus to the content');
  await findYouth(mentor, 'mentor');
  await mentor.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  expect(await mentor.getByText('Geregistreerd in de verwijsindex').isVisible(), 'the mentor is registered');
  await snap(mentor, 'mentor-registered');
  await mentor.getByRole('button', { name: 'Terug naar de jeugdige' }).click();
  await mentor.waitForURL(`${BASE_URL}/app/youth`);
  expect(await mentor.getByText(/^U kunt deze organisaties om terugkoppeling vragen zodra zij ook betrokken zijn/).isVisible(), 'why Buurtteam Oost cannot be asked yet');
  expect(await mentor.locator('ul.not-involved').getByText(/Buurtteam Oost/).isVisible(), 'Buurtteam Oost named as not involved');
  await snap(mentor, 'mentor-youth-registered');

  const worker = await signIn('family');
  await findYouth(worker, 'family-first');
  await worker.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  expect(await worker.getByText('Ook betrokken: Lyceum Noord').isVisible(), 'a match with the school');

  // The mentor asks for feedback: the decision first, then sending.
  await findYouth(mentor, 'mentor-again');
  await mentor.getByRole('button', { name: 'Om terugkoppeling vragen' }).click();
  expect(await mentor.getByText('Mag verstuurd worden').isVisible(), 'the dry run allows it');
  await snap(mentor, 'mentor-dry-run');
  await mentor.getByRole('button', { name: 'Versturen' }).click();
  expect(await mentor.getByText('Verstuurd.').isVisible(), 'the request is sent');

  // The family worker sees the request, is refused for missing consent, and follows the way
  // forward the refusal offers: the consent form, filled in for this exchange.
  await worker.goto(`${BASE_URL}/app`);
  await worker.getByRole('link', { name: 'Beantwoorden' }).click();
  expect(await worker.getByText(/U beantwoordt: Verzoek om terugkoppeling van Lyceum Noord/).isVisible(), 'the answer form names the request');
  await snap(worker, 'family-answer-form');
  await worker.getByRole('button', { name: 'Versturen' }).click();
  expect(await worker.getByText(/toestemming ontbreekt/).isVisible(), 'refused: consent is missing');
  expect(await worker.getByText(/Het kan wel met toestemming van de jongere en de ouder/).isVisible(), 'the refusal says what would make it possible');
  await snap(worker, 'family-refused');
  await worker.getByRole('button', { name: /^Toestemming van de jongere en de ouder/ }).click();
  await worker.waitForURL(`${BASE_URL}/app/consent/form`);
  for (const [id, checked] of [['given_youth', true], ['given_parent', true], ['org_lyceum-noord', true],
    ['signal_help_started', true], ['signal_help_ongoing', false], ['purpose_care_coordination', true]]) {
    expect(await worker.locator(`#${id}`).isChecked() === checked, `#${id} ${checked ? 'checked' : 'not checked'}`);
  }
  expect(await worker.getByText(/Voor de jeugdige van: Verzoek om terugkoppeling van Lyceum Noord/).isVisible(), 'the form names the youth by the request');
  await snap(worker, 'family-consent-form-filled');
  await worker.getByRole('button', { name: 'Vastleggen' }).click();
  expect(await worker.getByText(/Toestemming vastgelegd/).isVisible(), 'both consents recorded');
  await snap(worker, 'family-consent-recorded');
  await worker.getByRole('button', { name: /Terug naar het verzoek/ }).click();
  await worker.waitForURL(/\/app\/answer\/[^/]+$/);
  await worker.getByRole('button', { name: 'Versturen' }).click();
  expect(await worker.getByText('Mag verstuurd worden').isVisible(), 'allowed after consent');
  await snap(worker, 'family-allowed');
  await worker.getByRole('button', { name: 'Versturen' }).click();
  expect(await worker.getByText('Verstuurd.').isVisible(), 'the answer is sent');
  await snap(worker, 'family-answered');

  // Revoking the youth's consent is asked first, on a page that says what will happen.
  await findYouth(worker, 'family-youth');
  await worker.getByRole('button', { name: 'Intrekken' }).first().click();
  await worker.waitForURL(/\/revoke$/);
  expect(await worker.getByText('Toestemming intrekken?').isVisible(), 'the revocation is asked first');
  await snap(worker, 'family-revoke-asked');
  await worker.getByRole('link', { name: 'Annuleren' }).click();

  // The mentor sees the answer.
  await mentor.goto(`${BASE_URL}/app`);
  expect(await mentor.getByText('hulp gestart').isVisible(), 'the mentor sees the answer');
  await snap(mentor, 'mentor-answer-received');

  // The mentor chooses how notices reach them by e-mail: a daily summary.
  await mentor.getByRole('link', { name: 'Meldingen' }).click();
  await mentor.waitForURL(`${BASE_URL}/settings`);
  await mentor.getByLabel('Eén keer per dag, een overzicht').check();
  await mentor.getByRole('button', { name: 'Opslaan' }).click();
  expect(await mentor.getByText('Uw keuze is opgeslagen.').isVisible(), 'the choice is saved');
  expect(await mentor.getByLabel('Eén keer per dag, een overzicht').isChecked(), 'and shown as chosen');
  await mentor.goto(`${BASE_URL}/settings`);
  await snap(mentor, 'mentor-settings');
});
