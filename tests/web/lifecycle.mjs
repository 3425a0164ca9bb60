// The life of a registration (ACTION-FRAMEWORK §8) in a real browser, signed in with a real
// OpenID Connect provider: the school ends an involvement because the worry is gone, and the
// neighbourhood team, registering the same youth, hears who knew them before (and the school
// who is involved now); the school registers a youth naming a parent, the team a sibling naming
// the same parent, and each hears of the other organisation; the school records a death.
// Started by tests/api/browser.rs with:
//   BASE_URL  Ketenpoort's https address        ISSUER  the provider's issuer
//   CHILD, SIBLING, EARLIER  made-up youths     PARENT  a made-up parent's BSN
//   BIRTH_DATE  the youths' birth date          SHOTS   a directory for screenshots
// Exits 0 when every step showed what it should; prints the failing step otherwise.
import { BASE_URL, expect, run, signIn, snap } from './browser.mjs';

const { CHILD, SIBLING, EARLIER, PARENT, BIRTH_DATE } = process.env;

/** Waits for `text` on the page a click led to: the step fails naming `what` if it never shows. */
async function sees(page, text, what) {
  try {
    await page.getByText(text).first().waitFor({ state: 'visible', timeout: 15000 });
  } catch {
    throw new Error(`expected: ${what} (${page.url()})`);
  }
}

/** A parent's BSN is shown nowhere, not even to whoever typed it. */
async function noParent(page, what) {
  const html = await page.content();
  expect(!html.includes(PARENT), `no parent's BSN on ${what}`);
}

async function findYouth(page, bsn, who) {
  await page.getByRole('link', { name: 'Jeugdige zoeken' }).click();
  await page.waitForURL(`${BASE_URL}/app/youth`);
  await page.getByLabel('BSN', { exact: true }).fill(bsn);
  await page.getByLabel('Geboortedatum').fill(BIRTH_DATE);
  await page.getByRole('button', { name: 'Zoeken' }).click();
  await sees(page, 'dossierkenmerk', `the youth's page for ${who}`);
  await snap(page, `${who}-youth`);
}

await run('lifecycle story', async () => {
  const mentor = await signIn('mentor');
  const worker = await signIn('family');

  // The school registers, then ends its involvement: the worry is gone. The reasons say what
  // each means; ending is asked first, on a page that says what will happen.
  await findYouth(mentor, EARLIER, 'mentor-earlier');
  await mentor.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  await sees(mentor, 'Geregistreerd.', 'the school is registered');
  await mentor.getByRole('button', { name: 'Terug naar de jeugdige' }).click();
  await sees(mentor, 'Waarom beëindigt uw organisatie de betrokkenheid?', 'the youth page offers to end the involvement');
  expect(await mentor.getByLabel('De zorg is weg').isChecked(), 'the worry is gone: the default reason');
  await sees(mentor, 'De melding had nooit gemaakt mogen worden', 'the other reasons are offered');
  await mentor.getByLabel('De zorg is weg').check();
  await snap(mentor, 'mentor-withdraw-form');
  await mentor.getByRole('button', { name: 'Betrokkenheid beëindigen' }).click();
  await mentor.waitForURL(/\/app\/involvement\/[^/]+\/withdraw$/);
  await sees(mentor, 'Betrokkenheid van uw organisatie beëindigen?', 'ending is asked first');
  await sees(mentor, 'Reden: de zorg is weg.', 'the confirmation names the reason');
  await snap(mentor, 'mentor-withdraw-asked');
  await mentor.getByRole('button', { name: 'Ja, betrokkenheid beëindigen' }).click();
  await sees(mentor, 'Uw organisatie is niet meer betrokken bij deze jongere.', 'the involvement ended');
  await sees(mentor, 'De melding blijft 5 jaar in het archief', 'the result says it is archived');
  await snap(mentor, 'mentor-withdrawn');

  // The team registers the same youth: a historic match, once, each way.
  await findYouth(worker, EARLIER, 'family-earlier');
  await worker.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  await sees(worker, 'Deze jongere was eerder bekend bij Lyceum Noord', 'the team hears who knew the youth before');
  await snap(worker, 'family-historic-match');
  await worker.getByRole('link', { name: 'Overzicht', exact: true }).click();
  await sees(worker, 'Deze jongere was eerder bekend bij', 'the historic match in the team\'s overview');
  await snap(worker, 'family-overview-historic');
  await mentor.getByRole('link', { name: 'Overzicht', exact: true }).click();
  await sees(mentor, 'is nu betrokken bij een jongere die uw organisatie eerder kende', 'the school hears who is involved now');
  await snap(mentor, 'mentor-overview-historic');

  // The school registers a youth naming a parent; a mistake is said beside the field, which
  // stays empty (a parent's BSN is never written back).
  await findYouth(mentor, CHILD, 'mentor-child');
  await mentor.getByLabel('BSN van ouder 1').fill(CHILD);
  await mentor.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  await sees(mentor, 'Dit is het BSN van de jeugdige zelf', 'the youth\'s own BSN is no parent\'s');
  expect(await mentor.getByLabel('BSN van ouder 1').inputValue() === '', 'the field is empty again');
  await snap(mentor, 'mentor-parent-refused');
  await mentor.getByLabel('BSN van ouder 1').fill(PARENT);
  await mentor.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  await sees(mentor, 'Geregistreerd.', 'the school registered the youth with a parent');
  await noParent(mentor, 'the registration');
  await snap(mentor, 'mentor-child-registered');

  // The team registers a sibling naming the same parent: a family match, naming only the other
  // organisation and its contact.
  await findYouth(worker, SIBLING, 'family-sibling');
  await worker.getByLabel('BSN van ouder 2').fill(PARENT);
  await worker.getByRole('button', { name: 'Betrokkenheid melden' }).click();
  await sees(worker, 'Een andere jongere uit dit gezin is bekend bij Lyceum Noord (zorgteam@lyceum-noord.example).', 'the team hears of the school');
  await noParent(worker, 'the sibling\'s registration');
  await snap(worker, 'family-family-match');
  await mentor.getByRole('link', { name: 'Overzicht', exact: true }).click();
  await sees(mentor, 'Een andere jongere uit dit gezin is bekend bij', 'the school hears of the team');
  await noParent(mentor, 'the school\'s overview');
  await snap(mentor, 'mentor-overview-family');

  // The school records the youth's death, asked first: every involvement and measure ends.
  await findYouth(mentor, CHILD, 'mentor-child-again');
  await mentor.getByRole('button', { name: 'Overlijden vastleggen' }).click();
  await mentor.waitForURL(`${BASE_URL}/app/death`);
  await sees(mentor, 'Overlijden van de jongere vastleggen?', 'recording the death is asked first');
  await sees(mentor, 'Niets gaat naar het archief', 'the confirmation says nothing is archived');
  await snap(mentor, 'mentor-death-asked');
  await mentor.getByRole('button', { name: 'Ja, overlijden vastleggen' }).click();
  await sees(mentor, 'Het overlijden is vastgelegd.', 'the death is recorded');
  await snap(mentor, 'mentor-death-recorded');
  await findYouth(mentor, CHILD, 'mentor-child-after');
  await sees(mentor, 'Uw organisatie is (nog) niet betrokken', 'the school is no longer involved');
  expect(!(await mentor.content()).includes('Overlijden vastleggen'), 'no death to record without a relationship');
});
