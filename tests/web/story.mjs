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
  await findYouth(mentor, 'mentor');
  await mentor.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  expect(await mentor.getByText('Geregistreerd in de verwijsindex').isVisible(), 'the mentor is registered');
  await snap(mentor, 'mentor-registered');

  const worker = await signIn('family');
  await findYouth(worker, 'family');
  await worker.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  expect(await worker.getByText('Ook betrokken: Lyceum Noord').isVisible(), 'a match with the school');

  // The mentor asks for feedback: the decision first, then sending.
  await findYouth(mentor, 'mentor-again');
  await mentor.getByRole('button', { name: 'Om terugkoppeling vragen' }).click();
  expect(await mentor.getByText('Mag verstuurd worden').isVisible(), 'the dry run allows it');
  await snap(mentor, 'mentor-dry-run');
  await mentor.getByRole('button', { name: 'Versturen' }).click();
  expect(await mentor.getByText('Verstuurd.').isVisible(), 'the request is sent');

  // The family worker sees the request, is refused for missing consent, records consent, answers.
  await worker.goto(`${BASE_URL}/app`);
  await worker.getByRole('link', { name: 'Beantwoorden' }).click();
  await snap(worker, 'family-answer-form');
  await worker.getByRole('button', { name: 'Versturen' }).click();
  expect(await worker.getByText(/toestemming ontbreekt/).isVisible(), 'refused: consent is missing');
  await snap(worker, 'family-refused');
  for (const consenter of ['youth', 'parent']) {
    await worker.goto(`${BASE_URL}/app/consent`);
    await worker.getByLabel('BSN').fill(BSN);
    await worker.locator(`#given_${consenter}`).check();
    await worker.getByRole('button', { name: 'Vastleggen' }).click();
    expect(await worker.getByText('Toestemming vastgelegd.').isVisible(), `${consenter}'s consent recorded`);
  }
  await worker.goto(`${BASE_URL}/app`);
  await worker.getByRole('link', { name: 'Beantwoorden' }).click();
  await worker.getByRole('button', { name: 'Versturen' }).click();
  expect(await worker.getByText('Mag verstuurd worden').isVisible(), 'allowed after consent');
  await worker.getByRole('button', { name: 'Versturen' }).click();
  expect(await worker.getByText('Verstuurd.').isVisible(), 'the answer is sent');
  await snap(worker, 'family-answered');

  // The mentor sees the answer.
  await mentor.goto(`${BASE_URL}/app`);
  expect(await mentor.getByText('hulp gestart').isVisible(), 'the mentor sees the answer');
  await snap(mentor, 'mentor-answer-received');
});
