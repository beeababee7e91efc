"""Executes a `$batch` (multipart or JSON) through the dispatcher, part by part, in order.

Change sets run in one database transaction: all or nothing. As in CAP, a failed change
set is answered by the failing request's error alone, and the batch stops there unless
the client sent `Prefer: odata.continue-on-error`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from odata4.batch.json_batch import parse_json_batch, serialize_json_batch
from odata4.batch.model import BatchRequest, BatchResponse, ChangeSet, resolve_content_id_reference
from odata4.batch.multipart import boundary_from_content_type, parse_multipart_batch, serialize_multipart_batch
from odata4.errors import BadRequest, FailedDependency, ODataError, UnsupportedMediaType
from odata4.http import Headers, Request, Response

if TYPE_CHECKING:
    from odata4.dispatcher import Dispatcher

BatchResult = BatchResponse | list[BatchResponse]


class ChangeSetFailed(Exception):
    def __init__(self, response: BatchResponse) -> None:
        self.response = response


class BatchHandler:
    def __init__(self, dispatcher: Dispatcher, max_parts: int = 1000) -> None:
        self.dispatcher = dispatcher
        self.max_parts = max_parts

    async def __call__(self, request: Request) -> Response:
        content_type = request.headers.get("content-type") or ""
        media = content_type.split(";")[0].strip().lower()
        if media == "multipart/mixed":
            items = parse_multipart_batch(request.body, content_type, max_parts=self.max_parts)
            results = await self._run(request, items, stop_on_error=not request.prefers("odata.continue-on-error"))
            boundary = boundary_from_content_type(content_type)  # CAP answers with the request's boundary
            body = serialize_multipart_batch(results, boundary)
            return Response(200, body, {"content-type": f"multipart/mixed;boundary={boundary}", "odata-version": "4.0"})
        if media == "application/json":
            items = parse_json_batch(request.body, max_requests=self.max_parts)
            # JSON batches express order through dependsOn: a failure stops only its dependants
            results = await self._run(request, items, stop_on_error=False)
            return Response(
                200, serialize_json_batch(results), {"content-type": "application/json", "odata-version": "4.0"}
            )
        raise UnsupportedMediaType("Unsupported Media Type", code="415")

    async def _run(
        self, request: Request, items: list[BatchRequest | ChangeSet], *, stop_on_error: bool
    ) -> list[BatchResult]:
        content_ids: dict[str, str] = {}
        failed: set[str] = set()
        results: list[BatchResult] = []
        for item in items:
            if isinstance(item, ChangeSet):
                try:
                    results.append(await self._change_set(request, item, content_ids, failed))
                except ChangeSetFailed as failure:
                    results.append(failure.response)
                    failed.add(item.id)
                    if stop_on_error:
                        break
            else:
                response = await self._part(request, item, content_ids, failed)
                results.append(response)
                if response.status >= 400:
                    failed.add(item.id or "")
                    if stop_on_error:
                        break
        return results

    async def _change_set(
        self, request: Request, change_set: ChangeSet, content_ids: dict[str, str], failed: set[str]
    ) -> list[BatchResponse]:
        responses: list[BatchResponse] = []

        async def run_all() -> None:
            for part in change_set.requests:
                response = await self._part(request, part, content_ids, failed)
                if response.status >= 400:
                    raise ChangeSetFailed(_with_content_id(response, part.id))
                responses.append(response)

        try:
            async with self.dispatcher.database.transaction():
                await run_all()
        except ChangeSetFailed:
            raise
        return responses

    async def _part(
        self, outer: Request, part: BatchRequest, content_ids: dict[str, str], failed: set[str]
    ) -> BatchResponse:
        if any(dep in failed for dep in part.depends_on):
            from odata4.dispatcher import error_response

            return _response(part, error_response(FailedDependency("Failed Dependency", code="424")))
        try:
            inner = self._inner_request(outer, part, content_ids)
        except ODataError as error:
            from odata4.dispatcher import error_response

            return _response(part, error_response(error))
        response = await self.dispatcher.handle(inner)
        if part.id and response.status < 300:
            location = response.headers.get("location")
            content_ids[part.id] = _relative(location, outer.root) if location else inner.path
        return _response(part, response)

    def _inner_request(self, outer: Request, part: BatchRequest, content_ids: dict[str, str]) -> Request:
        url = resolve_content_id_reference(part.url, content_ids)
        split = urlsplit(url)
        path = split.path
        if path.startswith("/") or split.scheme:
            if not path.startswith(outer.root):
                raise BadRequest(f"Batch request URL {part.url!r} is outside the service")
            path = path[len(outer.root) :]
        if path.strip("/") == "$batch":
            raise BadRequest("A $batch request cannot contain another $batch request")
        return Request(
            method=part.method,
            path=path,
            query=parse_qsl(split.query, keep_blank_values=True),
            headers=Headers(part.headers),
            body=part.body,
            user=outer.user,
            root=outer.root,
            context=outer.context,
        )


def _relative(location: str, root: str) -> str:
    path = urlsplit(location).path
    return path[len(root) :] if path.startswith(root) else path


def _response(part: BatchRequest, response: Response) -> BatchResponse:
    headers = list(response.headers.items())
    if response.body:
        headers.append(("content-length", str(len(response.body))))
    return BatchResponse(
        id=part.id,
        status=response.status,
        headers=headers,
        body=response.body,
        atomicity_group=part.atomicity_group,
    )


def _with_content_id(response: BatchResponse, content_id: str | None) -> BatchResponse:
    """CAP marks the failing request of a change set with `@Core.ContentID` in its error."""
    if content_id is None:
        return response
    try:
        document = json.loads(response.body)
        document["error"]["@Core.ContentID"] = content_id
    except (ValueError, KeyError, TypeError):
        return response
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    headers = [(k, str(len(body)) if k == "content-length" else v) for k, v in response.headers]
    return BatchResponse(response.id, response.status, headers, body, response.atomicity_group)


Runner = Callable[[Request], Awaitable[Response]]
