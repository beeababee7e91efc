// Helpers to drive a UI5 page through Playwright as a person would (DOM clicks and typing),
// and to read what UI5 shows: busy state, open dialogs, messages, console errors.

export const byId = (id) => `[id="${id}"]`;

// Wait until UI5 has nothing pending (OPA's auto-waiter: requests, timeouts, rendering,
// navigation) and no OData request of ours is in flight.
export async function settle(page, recorder, { timeout = 60_000, quietMs = 300 } = {}) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const waiting = await page.evaluate(() => {
			const sap = globalThis.sap;
			if (!sap?.ui?.require) return 'UI5 not loaded';
			const waiter = sap.ui.require('sap/ui/test/autowaiter/_autoWaiter');
			if (!waiter) {
				sap.ui.require(['sap/ui/test/autowaiter/_autoWaiter']);
				return 'loading the auto-waiter';
			}
			if (waiter.hasToWait()) return 'UI5 busy';
			const busy = [...document.querySelectorAll('.sapUiLocalBusyIndicator, .sapUiBusy')].some((e) => e.offsetParent !== null);
			return busy ? 'busy indicator shown' : '';
		}).catch((e) => `evaluate failed: ${e.message}`);
		if (!waiting && recorder.inFlight === 0) {
			await page.waitForTimeout(quietMs);
			if (recorder.inFlight === 0) return;
		}
		if (Date.now() > deadline) throw new Error(`UI did not settle within ${timeout} ms: ${waiting || `${recorder.inFlight} OData request(s) in flight`}`);
		await page.waitForTimeout(100);
	}
}

// The dialogs and message popovers UI5 shows right now, with their texts.
export async function openDialogs(page) {
	return page.evaluate(() => {
		const sap = globalThis.sap;
		const InstanceManager = sap?.ui?.require('sap/m/InstanceManager');
		if (!InstanceManager) return [];
		const dom = (control) => (typeof control.getDomRef === 'function' ? control.getDomRef() : null);
		const text = (control) => dom(control)?.innerText.replace(/\s+/g, ' ').trim() || '';
		return [
			...InstanceManager.getOpenDialogs().map((d) => ({ kind: 'dialog', id: d.getId(), title: d.getTitle?.(), state: d.getState?.(), type: d.getType?.(), text: text(d) })),
			...InstanceManager.getOpenPopovers()
				.filter((p) => dom(p)?.querySelector('.sapMMsgView, .sapMMsgPopover') || dom(p)?.classList.contains('sapMMsgPopover'))
				.map((p) => ({ kind: 'message popover', id: p.getId?.(), text: text(p) })),
		];
	});
}

// The messages in UI5's message model (what the message button / field value states show).
export async function messages(page) {
	return page.evaluate(() => {
		const Messaging = globalThis.sap?.ui?.require('sap/ui/core/Messaging');
		if (!Messaging) return [];
		return Messaging.getMessageModel().getData().map((m) => ({
			type: m.getType(),
			message: m.getMessage(),
			targets: m.getTargets?.() || [m.getTarget()],
			technical: m.getTechnical(),
			code: m.getCode?.(),
		}));
	});
}

// Close every open dialog the way a person would: its first button ("Close"/"OK").
export async function closeDialogs(page) {
	for (const dialog of await openDialogs(page)) {
		if (dialog.kind !== 'dialog') continue;
		await page.locator(`${byId(dialog.id)} footer button, ${byId(dialog.id)} .sapMDialogFooter button`).first().click();
	}
}

// Console errors and uncaught exceptions. A few messages logged by SAPUI5 1.136 itself in a
// standalone (no launchpad) app served by `ui5 serve` are expected; each is listed with why.
export const KNOWN_FRAMEWORK_NOISE = [
	{
		match: /\[FUTURE FATAL\] PropertyInfo validation is disabled/,
		why: 'sap.ui.mdc deprecation notice logged by sap.fe for its own filter bar and table; not caused by the app',
	},
	{
		match: /Command 'DeleteEntry::ContextMenu' is not defined in component manifest/,
		why: 'sap.fe 1.136 registers a context-menu delete shortcut it does not declare itself',
	},
	{
		match: /navigationService\.storeInnerAppStateAsync is not a function/,
		why: 'sap.fe 1.136 without the launchpad (sap.ushell) uses a navigation service stub lacking storeInnerAppStateAsync; the app state is just not stored',
	},
	{
		match: /sap\/insights\/library\.js/,
		why: 'sap.fe probes the optional sap.insights library; its 1.136 build is not on the npm registry, so ui5 serve answers 404 (the SAP CDN has it)',
	},
];

// Static resources that may be missing (HTTP 404), each with why. Anything else failing is a problem.
export const KNOWN_MISSING_RESOURCES = [
	{
		url: /\/resources\/sap\/insights\/library\.js$/,
		why: 'the sap.insights probe above',
	},
	{
		url: /\/resources\/.*\/messagebundle_[a-z]{2}_[A-Z]{2}\.properties$/,
		why: 'UI5 first asks for the region-specific text bundle (en_US), then falls back to "en"; the npm builds of these libraries declare no supportedLocales that would avoid the probe',
	},
];

export class ConsoleGuard {
	constructor() {
		this.problems = [];
		this.tolerated = [];
	}

	attach(page, recorder) {
		page.on('console', (message) => {
			if (message.type() !== 'error') return;
			// the browser's own line for a failed download carries no URL: the response check below covers it
			if (/^Failed to load resource: the server responded with a status of \d+/.test(message.text())) return;
			this.check({ source: 'console.error', text: message.text(), url: message.location()?.url || '', step: recorder.step });
		});
		page.on('pageerror', (error) => {
			this.check({ source: 'uncaught exception', text: `${error.name}: ${error.message}\n${error.stack || ''}`, url: '', step: recorder.step });
		});
		page.on('response', (response) => {
			const url = new URL(response.url());
			if (response.status() < 400 || url.pathname.startsWith('/odata/')) return; // OData answers: see ODataRecorder.errors
			const problem = { source: `HTTP ${response.status()}`, text: `${response.request().method()} ${url.pathname}${url.search}`, url: url.href, step: recorder.step };
			const known = KNOWN_MISSING_RESOURCES.find((k) => k.url.test(url.pathname));
			if (known) this.tolerated.push({ ...problem, why: known.why });
			else this.problems.push(problem);
		});
	}

	check(problem) {
		const known = KNOWN_FRAMEWORK_NOISE.find((k) => k.match.test(problem.text));
		if (known) this.tolerated.push({ ...problem, why: known.why });
		else this.problems.push(problem);
	}

	take() {
		const out = this.problems;
		this.problems = [];
		return out;
	}
}
