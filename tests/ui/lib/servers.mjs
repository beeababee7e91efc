// Start and stop what the browser test needs: our service (bpverify serve) and the UI (ui5 serve).
// Every child is started here and stopped here, by its own pid.
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(UI_DIR, '..', '..');
export const APP_DIR = join(ROOT, 'app', 'verifications');
export const LOG_DIR = join(UI_DIR, 'logs');
export const SERVICE_PATH = '/odata/v4/business-partner-verification/';
const PG_ADMIN = process.env.BPVERIFY_TEST_PG || 'postgresql+psycopg://postgres@127.0.0.1:5432/test';

export async function freePort() {
	return new Promise((ok, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => ok(port));
		});
	});
}

async function waitFor(url, { child, name, timeoutMs, headers = {} }) {
	const deadline = Date.now() + timeoutMs;
	let last = 'no answer';
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it answered (see ${child.logFile})`);
		try {
			const res = await fetch(url, { headers });
			if (res.ok) return;
			last = `HTTP ${res.status}`;
		} catch (e) {
			last = e.cause?.code || e.message;
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms (${last}; see ${child.logFile})`);
}

function start(name, command, args, options) {
	mkdirSync(LOG_DIR, { recursive: true });
	const logFile = join(LOG_DIR, `${name}.log`);
	const log = createWriteStream(logFile);
	const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout.pipe(log);
	child.stderr.pipe(log);
	child.logFile = logFile;
	child.stopped = new Promise((r) => child.once('exit', r));
	return child;
}

export async function stop(child) {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
	await child.stopped;
	clearTimeout(timer);
}

// A fresh database: a new SQLite file, or a new PostgreSQL schema (dropped by `drop`).
export function freshDatabase(kind) {
	if (kind === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), 'bpverify-ui-'));
		return { kind, url: `sqlite:///${join(dir, 'bpverify.sqlite')}`, cwd: dir, drop: () => rmSync(dir, { recursive: true, force: true }) };
	}
	const schema = `ui_${process.pid}_${Date.now().toString(36)}`;
	pgAdmin(`CREATE SCHEMA "${schema}"`);
	const dir = mkdtempSync(join(tmpdir(), 'bpverify-ui-'));
	return {
		kind,
		url: `${PG_ADMIN}?options=-csearch_path%3D${schema}`,
		cwd: dir,
		drop: () => {
			pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

function pgAdmin(sql) {
	const python = join(ROOT, '.venv', 'bin', 'python');
	execFileSync(python, ['-c', `
import sys, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
with engine.begin() as conn:
    conn.execute(sa.text(sys.argv[2]))
engine.dispose()
`, PG_ADMIN, sql], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

export function postgresAvailable() {
	try {
		pgAdmin('SELECT 1');
		return true;
	} catch {
		return false;
	}
}

// Our service on a free port, on the given database; resolves once /health/ready answers.
// Without the mocked S/4HANA (BPVERIFY_MOCK_S4=off, unless set otherwise): with it, the workflow
// writes the saved decision back, the mock answers with a BusinessPartner.Changed event and the
// worker completes the VERIFIED notification (status C) while the test still looks for it in the
// list; and CAP, which the requests are compared with (compare-with-cap.mjs), has no workflow.
export async function startService(db) {
	const port = await freePort();
	const bin = join(ROOT, '.venv', 'bin', 'bpverify');
	if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/bootstrap first`);
	const env = { BPVERIFY_MOCK_S4: 'off', ...process.env, BPVERIFY_DB_URL: db.url };
	const child = start(`service-${db.kind}`, bin, ['serve', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'info'], { cwd: db.cwd, env });
	const url = `http://127.0.0.1:${port}`;
	await waitFor(`${url}/health/ready`, { child, name: 'bpverify serve', timeoutMs: 60_000 });
	return { child, url, port };
}

// ui5 serve for app/verifications, proxying /odata to `serviceUrl`. No Basic auth is injected by
// the proxy here: the browser sends its own Authorization header, as it would against the approuter.
export async function startUi(serviceUrl, name = 'ui5-serve') {
	const port = await freePort();
	const ui5 = join(APP_DIR, 'node_modules', '.bin', 'ui5');
	if (!existsSync(ui5)) throw new Error(`${ui5} is missing: run npm ci in app/verifications (scripts/test-ui does)`);
	const env = { ...process.env, BPVERIFY_URL: serviceUrl, BPVERIFY_UI_USER: '' };
	const child = start(name, ui5, ['serve', '--config', 'ui5.yaml', '--port', String(port)], { cwd: APP_DIR, env });
	const url = `http://localhost:${port}`;
	// the first start downloads SAPUI5 (~250 MB) into ~/.ui5: allow for it
	await waitFor(`${url}/index.html`, { child, name: 'ui5 serve', timeoutMs: 600_000 });
	return { child, url, port };
}
