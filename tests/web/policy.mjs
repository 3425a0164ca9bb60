// The privacy officers' story in a real browser, signed in with a real OpenID Connect provider.
// Started by tests/api/browser.rs with BASE_URL, ISSUER, SHOTS and SCENARIOS (a scenario file
// to upload). One officer drafts the table without R3 (after the confirmation page), tests it
// against the built-in and an uploaded scenario file, replays it over the past decisions and
// cannot approve it herself; a colleague opens a rule in the editor and asks to change it (then
// cancels), approves the draft and activates it (after the confirmation page). Every page is
// snapped: axe-core and 390 px, in both languages. Prints `policy story complete` when every
// step held.
import { BASE_URL, expect, run, signIn, snap } from './browser.mjs';

const { SCENARIOS } = process.env;

/** Opens the test-and-replay tools of the one draft on the page. */
async function draftTools(page) {
  const tools = page.locator('details.version-tools').first();
  await tools.locator('summary').click();
  return tools;
}

/** Whether the element is within the first screen of the page (not far below the fold). */
async function onFirstScreen(page, locator) {
  const box = await locator.boundingBox();
  return box !== null && box.y + box.height <= page.viewportSize().height;
}

await run('policy story', async () => {
  const author = await signIn('privacy-school', '/policy');
  expect(await author.getByRole('cell', { name: 'R3', exact: true }).isVisible(), 'the active table shows R3');
  const r3 = author.getByRole('row', { name: /^R3 / });
  expect((await r3.textContent()).includes('Een professional (behalve huisarts en praktijkondersteuner jeugd)'), 'R3 in words');

  // Removing asks first and says what will happen.
  await r3.getByRole('button', { name: 'Verwijderen (concept)' }).click();
  expect(await author.getByRole('heading', { name: 'Concept maken zonder R3?' }).isVisible(), 'the confirmation page');
  expect(await author.getByText('De actieve regels veranderen nog niet.', { exact: false }).isVisible(), 'what will happen');
  await snap(author, 'confirm-remove-r3');
  await author.getByRole('button', { name: 'Ja, concept opslaan' }).click();
  const done = await author.locator('.done').textContent();
  expect(/opgeslagen: R3 verwijderd\. Een andere privacy officer moet het goedkeuren\./.test(done), `the draft is stored (${done})`);
  expect(await author.getByText(/^R3 verwijderd: een professional/).first().isVisible(), 'the difference names R3 as removed, in words');
  await snap(author, 'draft-without-r3');

  // The built-in conformance scenarios: those that R3 allowed now fail, named at the top.
  let tools = await draftTools(author);
  await tools.getByRole('button', { name: "Testen met de scenario's" }).click();
  const summary = author.locator('#scenario-summary');
  const outcome = await summary.textContent();
  const failed = Number(/(\d+) mislukt/.exec(outcome)?.[1] ?? 0);
  expect(failed > 0, `scenarios fail without R3 (${outcome})`);
  expect(await onFirstScreen(author, summary), 'the outcome is on the first screen');
  const failure = await author.locator('#scenario-failures li').first().textContent();
  expect(/^„.+”: verwacht .+, maar het werd /.test(failure), `the failing scenarios are named in words (${failure})`);
  await snap(author, 'draft-tested');

  // An uploaded scenario file, run the same way.
  tools = await draftTools(author);
  await tools.locator('input[type=file]').setInputFiles(SCENARIOS);
  await tools.getByRole('button', { name: "Testen met de scenario's" }).click();
  const uploaded = await author.locator('#scenario-summary').textContent();
  expect(/\d+ geslaagd, \d+ mislukt/.test(uploaded), `the uploaded file ran (${uploaded})`);
  await snap(author, 'draft-tested-upload');

  // The replay over what was decided before: the help-status exchange that R3 allowed.
  tools = await draftTools(author);
  await tools.getByRole('button', { name: 'Terugspelen sinds' }).click();
  const replayed = await author.locator('#replay-summary').textContent();
  expect(/1 anders \(1 toegestaan → geweigerd, 0 geweigerd → toegestaan\)/.test(replayed), `one change (${replayed})`);
  expect(await onFirstScreen(author, author.locator('#replay-summary')), 'the replay is on the first screen');
  const change = author.locator('#replay-changes tbody tr').first();
  expect((await change.textContent()).includes('R3'), 'grouped under R3');
  expect((await change.textContent()).includes('buurtteam'), 'grouped by kind of organisation, in words');
  await snap(author, 'draft-replayed');

  // Four eyes: the author cannot approve her own draft, and is told so in words.
  await author.goto(`${BASE_URL}/policy`);
  await author.getByRole('button', { name: 'Goedkeuren' }).click();
  const alert = await author.getByRole('alert').textContent();
  expect(alert.includes('U kunt uw eigen concept niet goedkeuren; een andere privacy officer moet dat doen.'), `the author is refused (${alert})`);
  await snap(author, 'author-refused');

  // The rule editor: a rule opens with its words ticked; the vocabulary in words.
  const colleague = await signIn('privacy-team', '/policy');
  await colleague.getByRole('row', { name: /^R7 / }).getByRole('link', { name: 'Wijzigen R7' }).click();
  const editor = colleague.locator('form.rule-editor');
  expect(await editor.getByRole('checkbox', { name: 'verzuimmelding' }).isChecked(), 'R7 opens in the editor');
  await snap(colleague, 'edit-r7');
  await editor.getByRole('checkbox', { name: 'verzoek om terugkoppeling' }).check();
  await editor.getByRole('button', { name: 'Concept opslaan…' }).click();
  expect(await colleague.getByRole('heading', { name: 'Concept maken met R7 gewijzigd?' }).isVisible(), 'the change asks first');
  await snap(colleague, 'confirm-change-r7');
  await colleague.getByRole('link', { name: 'Annuleren' }).click();

  await colleague.getByRole('button', { name: 'Goedkeuren' }).click();
  expect(/goedgekeurd\. Een privacy officer kan haar nu activeren\./.test(await colleague.locator('.done').textContent()), 'approved by the colleague');
  await snap(colleague, 'approved');
  await colleague.getByRole('button', { name: 'Activeren' }).first().click();
  // isVisible() does not wait for the page the click opens: under load it looked too early.
  const asks = colleague.getByText('wordt meteen actief voor alle organisaties in de regio', { exact: false });
  expect(await asks.waitFor().then(() => true, () => false), 'activation asks first');
  await snap(colleague, 'confirm-activate');
  await colleague.getByRole('button', { name: 'Ja, nu activeren' }).click();
  expect(/is nu actief voor de hele regio/.test(await colleague.locator('.done').textContent()), 'activated');
  expect(!(await colleague.getByRole('cell', { name: 'R3', exact: true }).isVisible()), 'R3 is gone from the active table');
  await snap(colleague, 'activated');

  const review = await colleague.goto(`${BASE_URL}/review`);
  expect(review.ok(), 'the review queue opens');
  await snap(colleague, 'review');
});
