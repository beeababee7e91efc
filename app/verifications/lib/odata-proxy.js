// UI5 Tooling custom server middleware: forwards /odata/** to the bpverify service, unchanged.
// No third-party proxy package: plain node:http, streaming both ways.
//
// configuration (ui5.yaml):  target  base URL of the service      (env BPVERIFY_URL wins)
//                            user    "name:password" injected as HTTP Basic auth when the
//                                    request carries no Authorization (env BPVERIFY_UI_USER
//                                    wins; empty disables; never use this outside local dev)
"use strict";
const http = require("node:http");
const https = require("node:https");

// hop-by-hop headers (RFC 9110 7.6.1) are not forwarded
const HOP_BY_HOP = new Set([
	"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
	"te", "trailer", "transfer-encoding", "upgrade"
]);

function forwardableHeaders(headers) {
	const out = {};
	for (const [name, value] of Object.entries(headers)) {
		if (!HOP_BY_HOP.has(name.toLowerCase())) {
			out[name] = value;
		}
	}
	return out;
}

module.exports = function ({log, options}) {
	const config = (options && options.configuration) || {};
	const target = new URL(process.env.BPVERIFY_URL || config.target || "http://127.0.0.1:4004");
	const user = process.env.BPVERIFY_UI_USER !== undefined ? process.env.BPVERIFY_UI_USER : (config.user || "");
	const injected = user ? "Basic " + Buffer.from(user).toString("base64") : null;
	const client = target.protocol === "https:" ? https : http;
	const agent = new client.Agent({keepAlive: true});
	log.info(`proxying /odata to ${target.origin}` + (injected ? ` (Basic auth as ${user.split(":")[0]} when none is sent)` : ""));

	return function odataProxy(req, res, next) {
		const headers = forwardableHeaders(req.headers);
		headers.host = target.host;
		if (!headers.authorization && injected) {
			headers.authorization = injected;
		}
		headers["x-forwarded-host"] = req.headers.host;
		headers["x-forwarded-proto"] = req.protocol || "http";
		const upstream = client.request({
			protocol: target.protocol,
			hostname: target.hostname,
			port: target.port,
			method: req.method,
			path: target.pathname.replace(/\/$/, "") + req.originalUrl, // originalUrl keeps the /odata mount path
			headers,
			agent
		}, (response) => {
			res.writeHead(response.statusCode, response.statusMessage, forwardableHeaders(response.headers));
			response.pipe(res);
		});
		upstream.on("error", (err) => {
			log.error(`${req.method} ${req.originalUrl}: ${err.message}`);
			if (!res.headersSent) {
				res.writeHead(502, {"content-type": "text/plain"});
				res.end(`bpverify service not reachable at ${target.origin}: ${err.message}\n`);
			} else {
				res.destroy(err);
			}
		});
		req.pipe(upstream);
	};
};
