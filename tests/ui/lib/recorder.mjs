// Records every OData request the browser sends (and what came back), $batch parts included,
// so that they can be replayed against CAP and compared.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { UI_DIR } from './servers.mjs';

export const RECORDED = join(UI_DIR, 'recorded-requests.json'); // fiori.spec.mjs: our service
export const RECORDED_CAP = join(UI_DIR, 'recorded-requests-cap.json'); // compare-with-cap.mjs: CAP

const HIDDEN_HEADERS = new Set(['authorization', 'cookie', 'user-agent', 'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'sec-fetch-dest', 'sec-fetch-mode', 'sec-fetch-site', 'referer', 'origin', 'host', 'connection', 'accept-encoding', 'accept-language', 'content-length']);

function cleanHeaders(headers) {
	const out = {};
	for (const [name, value] of Object.entries(headers)) {
		if (!HIDDEN_HEADERS.has(name.toLowerCase()) && !name.startsWith(':')) out[name] = value;
	}
	return out;
}

function parseJson(text) {
	if (text === undefined || text === null || text === '') return text ?? null;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

function boundaryOf(contentType) {
	const match = /boundary=("?)([^";]+)\1/i.exec(contentType || '');
	return match ? match[2] : null;
}

function splitHead(text) {
	const at = text.search(/\r?\n\r?\n/);
	if (at < 0) return [text, ''];
	const sep = text.slice(at).match(/^\r?\n\r?\n/)[0];
	return [text.slice(0, at), text.slice(at + sep.length)];
}

function headerLines(block) {
	const headers = {};
	for (const line of block.split(/\r?\n/)) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
	}
	return headers;
}

function headerValue(headers, name) {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
	return key ? headers[key] : undefined;
}

// multipart/mixed body -> [{ headers, http: { requestLine|statusLine, headers, body } | parts }]
export function parseMultipart(body, contentType) {
	const boundary = boundaryOf(contentType);
	if (!boundary || typeof body !== 'string') return null;
	const chunks = body.split(`--${boundary}`);
	const parts = [];
	// chunks[0] is the preamble; the chunk starting with "--" is the close delimiter (+ epilogue)
	for (const chunk of chunks.slice(1)) {
		if (chunk.startsWith('--')) break;
		const [partHead, partBody] = splitHead(chunk.replace(/^\r?\n/, ''));
		const partHeaders = headerLines(partHead);
		const type = headerValue(partHeaders, 'content-type') || '';
		if (/^multipart\/mixed/i.test(type)) {
			parts.push({ changeset: true, headers: partHeaders, parts: parseMultipart(partBody, type) });
			continue;
		}
		const [httpHead, httpBody] = splitHead(partBody);
		const [firstLine, ...rest] = httpHead.split(/\r?\n/);
		const headers = headerLines(rest.join('\n'));
		parts.push({ headers: partHeaders, line: firstLine.trim(), httpHeaders: headers, body: parseJson(httpBody.replace(/\r?\n$/, '')) });
	}
	return parts;
}

function describePart(part) {
	if (part.changeset) return { changeset: part.parts.map(describePart), partHeaders: part.headers };
	const [a, b] = part.line.split(' ');
	const isStatus = /^HTTP\//.test(a);
	return isStatus
		? { status: Number(b), statusLine: part.line, headers: part.httpHeaders, body: part.body, partHeaders: part.headers }
		: { method: a, url: b, requestLine: part.line, headers: part.httpHeaders, body: part.body, partHeaders: part.headers };
}

export class ODataRecorder {
	constructor(servicePath) {
		this.servicePath = servicePath;
		this.entries = [];
		this.inFlight = 0;
		this.step = 'start';
		this.failures = [];
	}

	attach(page) {
		const pending = new Map();
		page.on('request', (request) => {
			const url = new URL(request.url());
			if (!url.pathname.startsWith('/odata/')) return;
			this.inFlight++;
			const headers = request.headers();
			const contentType = headers['content-type'];
			const body = request.postData();
			const entry = {
				seq: this.entries.length + 1,
				step: this.step,
				method: request.method(),
				url: url.pathname + url.search,
				headers: cleanHeaders(headers),
			};
			if (body !== null && body !== undefined) {
				const parts = /^multipart\/mixed/i.test(contentType || '') ? parseMultipart(body, contentType) : null;
				if (parts) {
					entry.rawBody = body;
					entry.parts = parts.map(describePart);
				} else {
					entry.body = parseJson(body);
				}
			}
			this.entries.push(entry);
			pending.set(request, entry);
		});
		const finish = async (request, failure) => {
			const entry = pending.get(request);
			if (!entry) return;
			pending.delete(request);
			try {
				if (failure) {
					entry.response = { failure };
					this.failures.push(`${entry.method} ${entry.url}: ${failure}`);
					return;
				}
				const response = await request.response();
				const headers = await response.allHeaders();
				const text = entry.method === 'HEAD' ? '' : await response.text().catch(() => '');
				entry.response = { status: response.status(), headers: cleanHeaders(headers) };
				const parts = /^multipart\/mixed/i.test(headers['content-type'] || '') ? parseMultipart(text, headers['content-type']) : null;
				if (parts) {
					entry.response.rawBody = text;
					entry.response.parts = parts.map(describePart);
					// pair each request part with its response part
					(entry.parts || []).forEach((part, i) => {
						if (entry.response.parts[i]) part.response = entry.response.parts[i];
					});
				} else {
					entry.response.body = parseJson(text);
				}
			} finally {
				this.inFlight--;
			}
		};
		page.on('requestfinished', (request) => finish(request));
		page.on('requestfailed', (request) => finish(request, request.failure()?.errorText || 'failed'));
	}

	// every request/part answered with a status >= 400, as "METHOD url -> status message"
	errors({ since = 0 } = {}) {
		const out = [];
		for (const entry of this.entries.slice(since)) {
			const res = entry.response;
			if (!res || res.failure) continue;
			if (res.status >= 400) out.push({ seq: entry.seq, step: entry.step, request: `${entry.method} ${entry.url}`, status: res.status, body: res.body });
			for (const part of entry.parts || []) {
				if (part.response?.status >= 400) out.push({ seq: entry.seq, step: entry.step, request: `${part.method} ${part.url} (in $batch)`, status: part.response.status, body: part.response.body });
			}
		}
		return out;
	}

	save(file, extra = {}) {
		writeFileSync(file, JSON.stringify({ ...extra, requests: this.entries }, null, 2) + '\n');
	}
}

// { about, runs: { <name>: { notes, toleratedConsoleErrors, requests } } }, `recordings` as
// lib/flow.mjs's newRecording() fills them
export function saveRecordings(file, recordings, about) {
	const runs = {};
	for (const [name, { recorder, notes, tolerated }] of Object.entries(recordings)) {
		runs[name] = { notes, toleratedConsoleErrors: tolerated || [], requests: recorder.entries };
	}
	writeFileSync(file, JSON.stringify({ about, runs }, null, 2) + '\n');
}
