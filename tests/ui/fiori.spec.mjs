// Browser test of the Fiori elements app (app/verifications) against our service, once on a fresh
// SQLite database and once on a fresh PostgreSQL schema: the flow of lib/flow.mjs
//   list report with the seeded notifications, status texts and criticality -> filter by status ->
//   object page with the addresses -> Edit -> postal code (invalid first, then valid) and status ->
//   Save -> the new values in the list.
// Fails on any UI5 error dialog, error message or console error (SAPUI5's own known noise aside,
// see KNOWN_FRAMEWORK_NOISE). Leaves screenshots in screenshots/ and every OData request the
// client sent ($batch parts one by one, with the answers) in recorded-requests.json, which
// compare-with-cap.mjs compares with what CAP answers to the same flow.
//
// Run: scripts/test-ui (installs chromium and the npm packages), or `npm test` here.
// Env: UI_TEST_DATABASES=sqlite,postgresql (default both), BPVERIFY_TEST_PG (admin URL),
//      CHROMIUM=/usr/bin/chromium, UI_TEST_HEADED=1 (needs a display).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

import { fioriFlow, launchOptions, newRecording, SCREENSHOTS } from './lib/flow.mjs';
import { RECORDED, saveRecordings } from './lib/recorder.mjs';
import { freshDatabase, postgresAvailable, startService, stop } from './lib/servers.mjs';

const requested = (process.env.UI_TEST_DATABASES || 'sqlite,postgresql').split(',').map((s) => s.trim()).filter(Boolean);
const KINDS = ['sqlite', 'postgresql'];
const recordings = {};
let browser;

before(async () => {
	mkdirSync(SCREENSHOTS, { recursive: true });
	// this test's screenshots only (compare-with-cap.mjs leaves its own, cap-*)
	for (const file of readdirSync(SCREENSHOTS)) if (KINDS.some((k) => file.startsWith(`${k}-`))) rmSync(join(SCREENSHOTS, file));
	browser = await chromium.launch(launchOptions());
});

after(async () => {
	await browser?.close();
});

for (const kind of KINDS) {
	const wanted = requested.includes(kind);
	const pgMissing = kind === 'postgresql' && wanted && !postgresAvailable();
	const skip = !wanted ? `not in UI_TEST_DATABASES` : pgMissing && !process.env.CI ? 'PostgreSQL on 127.0.0.1:5432 is not available' : false;

	test(`Fiori elements app on our service (${kind})`, { skip, timeout: 20 * 60_000 }, async (t) => {
		assert.ok(!pgMissing, 'PostgreSQL on 127.0.0.1:5432 is required in CI');
		const db = freshDatabase(kind);
		let service;
		t.after(async () => {
			await stop(service?.child);
			db.drop();
			saveRecordings(RECORDED, recordings, 'Every OData request the SAPUI5 1.136 Fiori elements client sent in tests/ui/fiori.spec.mjs, $batch parts one by one, each with the answer of our service. Authorization and browser headers are left out.');
		});
		recordings[kind] = newRecording();
		service = await startService(db);
		await fioriFlow(t, { browser, name: kind, serviceUrl: service.url, recording: recordings[kind] });
	});
}
