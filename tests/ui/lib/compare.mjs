// Compares two recordings of the same browser flow (lib/recorder.mjs's format): what our service
// answered and what CAP answered, request by request.
//
// Each recording becomes a list of exchanges: the requests sent on their own ($metadata, HEAD),
// each $batch envelope, and each $batch part. Exchanges are keyed by method, URL (decoded) and
// body, masked (below), and the two lists are aligned in order (longest common subsequence), so
// that where the two flows take different paths (CAP accepts the invalid postal code: the flow
// saves and edits once more) the requests both made are still paired with their counterparts;
// requests sent concurrently and recorded in the other order are paired within their step.
// Each pair is compared by status and JSON body (objects order-insensitive, arrays in order), and
// by the Location and Preference-Applied headers; other headers' differences are only reported.
//
// Masked on both sides: timestamps, ETags (@odata.etag, @odata.metadataEtag, ETag headers),
// DraftUUIDs, and every UUID that is not in the contract's seed data (generated ones).
import { SERVICE_PATH } from './servers.mjs';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const ETAG_KEYS = new Set(['@odata.etag', '@odata.metadataEtag']);
const DRAFT_UUID_KEYS = new Set(['DraftUUID', 'DraftAdministrativeData_DraftUUID']);
// response headers compared besides status and body (as tests/contract/test_cap_parity.py does),
// and those only reported in cap-comparison.json when they differ
export const COMPARED_HEADERS = ['location', 'preference-applied'];
export const REPORTED_HEADERS = ['odata-version', 'odata-entityid', 'content-type'];
const HEADERS = [...COMPARED_HEADERS, ...REPORTED_HEADERS];

export function masker(seeded) {
	const text = (s) => (TIMESTAMP.test(s) ? '<timestamp>' : s.replace(UUID, (u) => (seeded.has(u.toLowerCase()) ? u : '<generated-uuid>')));
	const mask = (value, key) => {
		if (value === null || value === undefined) return value;
		if (ETAG_KEYS.has(key)) return '<etag>';
		if (DRAFT_UUID_KEYS.has(key)) return '<draft-uuid>';
		if (typeof value === 'string') return text(value);
		if (Array.isArray(value)) return value.map((v) => mask(v));
		if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
		return value;
	};
	const url = (u) => {
		let decoded = u;
		try {
			decoded = decodeURIComponent(u);
		} catch {
			// keep it as sent
		}
		return text(decoded.startsWith(SERVICE_PATH) ? decoded.slice(SERVICE_PATH.length) : decoded);
	};
	const header = (name, value) => (value === undefined ? undefined : name === 'etag' ? '<etag>' : text(String(value)).replace(/boundary=[^;,\s]+/i, 'boundary=<boundary>'));
	return { mask, url, header };
}

// JSON with sorted keys: objects compare order-insensitively as text
export function stable(value) {
	if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
	if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stable(value[k])}`).join(',')}}`;
	return JSON.stringify(value === undefined ? null : value);
}

function lower(headers = {}) {
	return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

// A recording's run -> the exchanges, in the order they were sent.
export function exchanges(run, m) {
	const out = [];
	const add = (where, req, res, inBatch) => {
		const url = m.url(req.url);
		const body = m.mask(req.body);
		const ex = {
			where,
			step: req.step,
			inBatch,
			method: req.method,
			url,
			body,
			status: res?.status ?? null,
			failure: res?.failure,
			response: res && !res.parts ? m.mask(res.body) : undefined,
			headers: Object.fromEntries(HEADERS.map((h) => [h, m.header(h, lower(res?.headers)[h])]).filter(([, v]) => v !== undefined)),
		};
		ex.key = `${ex.method} ${inBatch ? '[batch] ' : ''}${url} ${stable(body ?? null)}`;
		out.push(ex);
		return ex;
	};
	for (const entry of run.requests) {
		if (entry.parts) {
			// the envelope: keyed by its parts' request lines, compared by status only
			const lines = entry.parts.map((p) => (p.changeset ? `changeset(${p.changeset.map((c) => `${c.method} ${m.url(c.url)}`).join(';')})` : `${p.method} ${m.url(p.url)}`));
			const ex = add(`#${entry.seq}`, { ...entry, body: lines }, entry.response ? { status: entry.response.status, headers: entry.response.headers, failure: entry.response.failure, parts: true } : undefined, false);
			ex.envelope = true;
			ex.parts = [];
			entry.parts.forEach((part, i) => {
				const members = part.changeset ? part.changeset.map((c, j) => [`#${entry.seq}.${i + 1}.${j + 1}`, c]) : [[`#${entry.seq}.${i + 1}`, part]];
				for (const [where, p] of members) {
					const member = add(where, { ...p, step: entry.step }, p.response, true);
					member.previous = ex.parts.at(-1) ?? null; // the part sent before it in the same $batch
					ex.parts.push(member);
				}
			});
		} else {
			add(`#${entry.seq}`, entry, entry.response, false);
		}
	}
	return out;
}

// Longest common subsequence of the keys: [[i, j], ...] pairs in order.
export function align(a, b) {
	const n = a.length;
	const k = b.length;
	const len = Array.from({ length: n + 1 }, () => new Array(k + 1).fill(0));
	for (let i = n - 1; i >= 0; i--) for (let j = k - 1; j >= 0; j--) len[i][j] = a[i].key === b[j].key ? len[i + 1][j + 1] + 1 : Math.max(len[i + 1][j], len[i][j + 1]);
	const pairs = [];
	let i = 0;
	let j = 0;
	while (i < n && j < k) {
		if (a[i].key === b[j].key) {
			pairs.push([i++, j++]);
		} else if (len[i + 1][j] >= len[i][j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	return pairs;
}

// Differences between two JSON values: [{ path, ours, cap }]
export function diff(ours, cap, path = '$') {
	if (stable(ours) === stable(cap)) return [];
	const bothObjects = ours && cap && typeof ours === 'object' && typeof cap === 'object';
	if (bothObjects && Array.isArray(ours) === Array.isArray(cap)) {
		if (Array.isArray(ours)) {
			if (ours.length !== cap.length) return [{ path: `${path}.length`, ours: ours.length, cap: cap.length }, ...ours.slice(0, Math.min(ours.length, cap.length)).flatMap((v, i) => diff(v, cap[i], `${path}[${i}]`))];
			return ours.flatMap((v, i) => diff(v, cap[i], `${path}[${i}]`));
		}
		const keys = [...new Set([...Object.keys(ours), ...Object.keys(cap)])].sort();
		return keys.flatMap((key) => {
			const p = `${path}.${key}`;
			if (!(key in cap)) return [{ path: p, ours: ours[key], cap: '<absent>' }];
			if (!(key in ours)) return [{ path: p, ours: '<absent>', cap: cap[key] }];
			return diff(ours[key], cap[key], p);
		});
	}
	return [{ path, ours, cap }];
}

const describe = (ex) => ({ at: ex.where, step: ex.step, request: `${ex.method} ${ex.url}${ex.inBatch ? ' (in $batch)' : ''}`, body: ex.envelope ? undefined : ex.body, status: ex.status });

// An exchange: { where (#seq or #seq.part in the recording), step, method, url, body, inBatch,
// status, response (masked JSON), headers, key; $batch envelopes: envelope, parts; parts: previous
// (the part before it in its $batch); after the alignment: paired }.
// deviations: [{ id, reason, match(ours, cap) -> bool, paths?: [regex] (only these paths may
// differ: JSON paths as `$.value[0].name`, `headers.location`; without paths the whole answer
// may), status?: true (with paths: the status may differ too) }]
// unpairedExplained: [{ id, reason, side?: 'ours'|'cap' (default either), match(ex) -> bool }]
export function compareRuns(oursRun, capRun, { seeded, deviations = [], unpairedExplained = [] }) {
	const m = masker(seeded);
	const ours = exchanges(oursRun, m);
	const cap = exchanges(capRun, m);
	const pairs = align(ours, cap);
	const pairedOurs = new Set(pairs.map(([i]) => i));
	const pairedCap = new Set(pairs.map(([, j]) => j));
	// requests UI5 sends at the same time ($metadata and the CSRF HEAD at the start) reach the
	// recorder in either order: the same request in the same step is paired across such a swap
	const swapped = new Set();
	ours.forEach((o, i) => {
		if (pairedOurs.has(i)) return;
		const j = cap.findIndex((c, k) => !pairedCap.has(k) && c.key === o.key && c.step === o.step);
		if (j < 0) return;
		pairs.push([i, j]);
		pairedOurs.add(i);
		pairedCap.add(j);
		swapped.add(i);
	});
	pairs.sort((a, b) => a[0] - b[0]);
	ours.forEach((ex, i) => (ex.paired = pairedOurs.has(i)));
	cap.forEach((ex, j) => (ex.paired = pairedCap.has(j)));
	const used = new Set();
	const results = pairs.map(([i, j]) => {
		const o = ours[i];
		const c = cap[j];
		const statusDiffers = o.status !== c.status;
		const headerOf = (ex, h) => ex.headers[h] ?? '<absent>';
		const answerDiffs = [
			...COMPARED_HEADERS.filter((h) => headerOf(o, h) !== headerOf(c, h)).map((h) => ({ path: `headers.${h}`, ours: headerOf(o, h), cap: headerOf(c, h) })),
			...(o.envelope ? [] : diff(o.response, c.response)),
		];
		const headerDiffs = Object.fromEntries(REPORTED_HEADERS.filter((h) => headerOf(o, h) !== headerOf(c, h)).map((h) => [h, { ours: headerOf(o, h), cap: headerOf(c, h) }]));
		const result = { ours: describe(o), cap: describe(c), status: { ours: o.status, cap: c.status }, ...(o.envelope ? { envelope: true } : {}), ...(swapped.has(i) ? { sentInOtherOrder: true } : {}) };
		if (Object.keys(headerDiffs).length) result.headerDifferences = headerDiffs;
		if (!statusDiffers && answerDiffs.length === 0) return { result: 'match', ...result };
		const differences = [...(statusDiffers ? [{ path: 'status', ours: o.status, cap: c.status }] : []), ...answerDiffs];
		const deviation = deviations.find((d) => d.match(o, c) && (!d.paths || ((!statusDiffers || d.status) && answerDiffs.every((x) => d.paths.some((re) => re.test(x.path))))));
		if (deviation) {
			used.add(deviation.id);
			return { result: 'deviation', deviation: deviation.id, reason: deviation.reason, ...result, differences };
		}
		return { result: 'difference', ...result, differences, ourResponse: o.response, capResponse: c.response };
	});
	const unpaired = (list, paired, side) =>
		list
			.filter((_, i) => !paired.has(i))
			.map((ex) => {
				const why = unpairedExplained.find((u) => (!u.side || u.side === side) && u.match(ex));
				if (why) used.add(why.id);
				return { ...describe(ex), ...(why ? { explained: why.id, reason: why.reason } : {}) };
			});
	const count = (r) => results.filter((x) => x.result === r).length;
	const counts = (list) => ({ paired: list.length, matched: list.filter((x) => x.result === 'match').length, deviations: list.filter((x) => x.result === 'deviation').length, differences: list.filter((x) => x.result === 'difference').length });
	const unpairedOurs = unpaired(ours, pairedOurs, 'ours');
	const unpairedCap = unpaired(cap, pairedCap, 'cap');
	return {
		summary: {
			paired: results.length,
			matched: count('match'),
			deviations: count('deviation'),
			differences: count('difference'),
			unpairedOurs: unpairedOurs.length,
			unpairedCap: unpairedCap.length,
			unpairedUnexplained: [...unpairedOurs, ...unpairedCap].filter((u) => !u.explained).length,
			// the same, for the requests proper ($batch parts, $metadata, HEAD) and the $batch envelopes
			requests: counts(results.filter((r) => !r.envelope)),
			batchEnvelopes: counts(results.filter((r) => r.envelope)),
		},
		deviationsSeen: [...deviations, ...unpairedExplained].filter((d) => used.has(d.id)).map((d) => d.id),
		pairs: results,
		unpairedOurs,
		unpairedCap,
	};
}
