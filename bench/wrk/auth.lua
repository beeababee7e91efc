-- wrk script: every request as the mocked user alice (HTTP Basic alice:alice).
-- No Accept header: data requests default to JSON, $metadata to XML, on both servers.
-- Kept minimal on purpose: a Lua response() callback would make wrk itself the bottleneck
-- (wrk counts non-2xx/3xx responses on its own; run.py fails the row if there are any).
wrk.method = "GET"
wrk.headers["Authorization"] = "Basic YWxpY2U6YWxpY2U="
