// The privacy officers' story in a real browser, signed in with a real OpenID Connect provider.
// Started by tests/api/browser.rs with BASE_URL, ISSUER, SHOTS and SCENARIOS (a scenario file
// to upload). One officer drafts the table without R3, tests it against the built-in and an
// uploaded scenario file, replays it over the past decisions and cannot approve it herself; a
// colleague approves and activates it. Prints `policy story complete` when every step held.
import { BASE_URL, expect, run, signIn, snap } from './browser.mjs';

const { SCENARIOS } = process.env;

/** Opens the test-and-replay tools of the one draft on the page. */
async function draftTools(page) {
  const tools = page.locator('details.version-tools').first();
  await tools.locator('summary').click();
  return tools;
}

await run('policy story', async () => {
  const author = await signIn('privacy-school', '/policy');
  expect(await author.getByRole('cell', { name: 'R3', exact: true }).isVisible(), 'the active table shows R3');

  await author.getByRole('row', { name: /^R3 / }).getByRole('button', { name: 'Verwijderen (concept)' }).click();
  expect(await author.getByText('✓').first().isVisible(), 'the draft is stored');
  expect(await author.getByText(/R3 verwijderd:/).first().isVisible(), 'the difference names R3 as removed');
  await snap(author, 'draft-without-r3');

  // The built-in conformance scenarios: those that R3 allowed now fail.
  let tools = await draftTools(author);
  await tools.getByRole('button', { name: "Testen met de scenario's" }).click();
  const outcome = await author.locator('p[role=status] strong').last().textContent();
  const failed = Number(/(\d+) failed/.exec(outcome)?.[1] ?? 0);
  expect(failed > 0, `scenarios fail without R3 (${outcome})`);
  expect(await author.getByText(/^FAIL /).first().isVisible(), 'the failing scenarios are named');
  await snap(author, 'draft-tested');

  // An uploaded scenario file, run the same way.
  tools = await draftTools(author);
  await tools.locator('input[type=file]').setInputFiles(SCENARIOS);
  await tools.getByRole('button', { name: "Testen met de scenario's" }).click();
  const uploaded = await author.locator('p[role=status] strong').last().textContent();
  expect(/\d+ passed, \d+ failed/.test(uploaded) && uploaded !== '', `the uploaded file ran (${uploaded})`);
  await snap(author, 'draft-tested-upload');

  // The replay over what was decided before: the help-status exchange that R3 allowed.
  tools = await draftTools(author);
  await tools.getByRole('button', { name: 'Terugspelen sinds' }).click();
  const summary = await author.locator('#replay-summary').textContent();
  expect(/1 anders \(1 toegestaan → geweigerd, 0 geweigerd → toegestaan\)/.test(summary), `one change (${summary})`);
  const change = author.locator('#replay-changes tbody tr').first();
  expect((await change.textContent()).includes('R3'), 'grouped under R3');
  expect((await change.textContent()).includes('neighbourhood team'), 'grouped by org kind');
  await snap(author, 'draft-replayed');

  // Four eyes: the author cannot approve her own draft.
  await author.goto(`${BASE_URL}/policy`);
  await author.getByRole('button', { name: 'Goedkeuren' }).click();
  expect(await author.getByRole('alert').isVisible(), 'the author is refused');
  await snap(author, 'author-refused');

  const colleague = await signIn('privacy-team', '/policy');
  await colleague.getByRole('button', { name: 'Goedkeuren' }).click();
  expect(await colleague.getByText('✓').first().isVisible(), 'approved by the colleague');
  await colleague.getByRole('button', { name: 'Activeren' }).first().click();
  expect(!(await colleague.getByRole('cell', { name: 'R3', exact: true }).isVisible()), 'R3 is gone from the active table');
  await snap(colleague, 'activated');
});
