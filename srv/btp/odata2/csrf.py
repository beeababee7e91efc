"""CSRF protection of SAP Gateway as an `httpx.Auth` flow: no I/O here, httpx sends what the flow yields.

Rules (as the SAP Cloud SDK's csrf middleware):
1. GET, HEAD and OPTIONS pass unchanged.
2. Before the first modifying request a token is fetched: HEAD on the service root with a trailing slash and
   `x-csrf-token: Fetch` (plus the request's own headers), then without the slash when no token came. The token
   and the cookies that answer sets (the session it is bound to) are cached and sent with every modifying request.
3. A 403 with `x-csrf-token: Required` (token or session expired) → fetch once more and send again. A second
   `Required` goes back to the caller.
4. A server that hands out no token gets the request without one (CSRF protection may be off there).
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NOT_FORWARDED = frozenset({"content-type", "content-length", "x-csrf-token", "if-match", "transfer-encoding"})


def token_required(response: httpx.Response) -> bool:
    return response.status_code == 403 and response.headers.get("x-csrf-token", "").lower() == "required"


def _cookie_pairs(header: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            pairs[name] = value
    return pairs


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """name → value of every `set-cookie` of a response (attributes dropped)."""
    cookies: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        name, sep, value = header.split(";", 1)[0].strip().partition("=")
        if sep and name:
            cookies[name] = value
    return cookies


class CsrfAuth(httpx.Auth):
    """Rules 1-4 for one OData service; `inner` is a header-setting auth (e.g. `httpx.BasicAuth`) applied first."""

    def __init__(self, service_path: str, inner: httpx.Auth | None = None) -> None:
        self.service_path = "/" + service_path.strip("/")
        self._inner = inner
        self.token: str | None = None
        self.cookies: dict[str, str] = {}
        self.fetches = 0  # token fetch requests sent (for tests and diagnostics)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._authenticate(request)
        if request.method.upper() in SAFE_METHODS:
            yield request
            return
        if self.token is None:
            yield from self._fetch(request)
        self._apply(request)
        response = yield request
        if token_required(response):
            yield from self._fetch(request)
            self._apply(request)
            yield request

    def _fetch(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.token = None
        for path in (self.service_path + "/", self.service_path):
            fetch = self._fetch_request(request, path)
            self.fetches += 1
            response = yield fetch
            token = response.headers.get("x-csrf-token")
            if token and token.lower() != "required":
                self.token, self.cookies = token, set_cookies(response)
                return

    def _fetch_request(self, request: httpx.Request, path: str) -> httpx.Request:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        headers["x-csrf-token"] = "Fetch"
        root = self._root_path(request.url, path)
        params = httpx.QueryParams([(k, v) for k, v in request.url.params.multi_items() if k.startswith("sap-")])
        fetch = httpx.Request("HEAD", request.url.copy_with(path=root, query=str(params).encode()), headers=headers)
        self._authenticate(fetch)
        return fetch

    def _root_path(self, url: httpx.URL, path: str) -> str:
        """The service root below the URL's own prefix (a destination URL may carry a path)."""
        at = url.path.find(self.service_path)
        prefix = url.path[:at] if at > 0 else ""
        return prefix + path

    def _apply(self, request: httpx.Request) -> None:
        if self.token is None:
            return
        request.headers["x-csrf-token"] = self.token
        if self.cookies:
            merged = {**_cookie_pairs(request.headers.get("cookie", "")), **self.cookies}
            request.headers["cookie"] = "; ".join(f"{k}={v}" for k, v in merged.items())

    def _authenticate(self, request: httpx.Request) -> None:
        if self._inner is not None:
            next(self._inner.sync_auth_flow(request))
