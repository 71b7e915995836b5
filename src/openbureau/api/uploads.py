"""A furnishing file upload, streamed from the request straight into the upload folder.

Starlette's form parser would first spool the whole file to a temporary file of its own (and,
through FastAPI, before the caller's credential is checked). Here the route checks the
credential first, then feeds the request body, as it arrives, to python-multipart's streaming
parser: the ``file`` part goes a megabyte at a time into a 0600 file of the upload folder
(``files.Incoming``, off the event loop), counted against ``max_upload_bytes``; other parts are
ignored, their headers bounded. At most a megabyte of the file is ever in memory. An upload
refused for any reason (too large, malformed, the caller gone) leaves nothing on disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from openbureau.bootstrap import Bureau
from openbureau.domain.errors import FieldError, ValidationFailed
from openbureau.domain.roles import Principal
from openbureau.services import files

if TYPE_CHECKING:       # declared for type checkers only
    from python_multipart.multipart import MultipartCallbacks

FIELD = "file"
MAX_PART_HEADERS = 16 * 1024       # bytes of headers per part
FLUSH = 1 << 20                    # bytes of file data held before they are written


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(FIELD, message)], message)


class _Parts:
    """python-multipart's callbacks: the ``file`` part's data collected for the next write."""

    def __init__(self) -> None:
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.filename: str | None = None
        self.found = False          # a ``file`` part has begun
        self.complete = False       # ... and ended
        self._in_file = False
        self._header_name = b""
        self._header_value = b""
        self._header_bytes = 0
        self._disposition = b""

    def callbacks(self) -> MultipartCallbacks:
        return {"on_part_begin": self._begin, "on_part_data": self._data,
                "on_part_end": self._end, "on_header_field": self._field,
                "on_header_value": self._value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done}

    def _begin(self) -> None:
        self._in_file = False
        self._disposition = b""
        self._header_bytes = 0

    def _count(self, n: int) -> None:
        self._header_bytes += n
        if self._header_bytes > MAX_PART_HEADERS:
            raise _invalid("a part's headers are too long")

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._count(end - start)
        self._header_name += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self._count(end - start)
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._disposition)
        if options.get(b"name") != FIELD.encode():
            return                  # another field: its data is ignored
        if self.found:
            raise _invalid("send one file per upload")
        self.found = self._in_file = True
        raw = options.get(b"filename", b"upload")
        self.filename = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file and end > start:
            self.pending.append(data[start:end])
            self.pending_size += end - start

    def _end(self) -> None:
        if self._in_file:
            self.complete = True
        self._in_file = False

    def take(self) -> bytes:
        out = b"".join(self.pending)
        self.pending.clear()
        self.pending_size = 0
        return out


async def receive_upload(request: Request, bureau: Bureau, furnisher: Principal) -> str:
    """Stream the request's ``file`` part to disk and queue it (``files.accept``); the file's
    ref. Raises ``ValidationFailed`` (422) for a request that is not a multipart upload with a
    ``file`` part, ``files.UploadTooLarge`` past the limit."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise _invalid("send the file as multipart/form-data, in a part named 'file'")
    parts = _Parts()
    parser = MultipartParser(params[b"boundary"], parts.callbacks())
    incoming = await run_in_threadpool(files.Incoming, bureau.deps,
                                       bureau.settings.max_upload_bytes)
    try:
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except ValueError as exc:        # python-multipart's parse errors
                raise _invalid("the multipart body is malformed") from exc
            if parts.pending_size >= FLUSH:
                await run_in_threadpool(incoming.write, parts.take())
        try:
            parser.finalize()
        except ValueError as exc:
            raise _invalid("the multipart body is malformed") from exc
        if parts.pending:
            await run_in_threadpool(incoming.write, parts.take())
        if not parts.complete:
            raise _invalid("no file: send it in a multipart part named 'file'")
        return await run_in_threadpool(files.accept, bureau.uow(), bureau.deps, furnisher,
                                       parts.filename or "upload", incoming)
    except BaseException:
        incoming.discard()      # a close and an unlink: done at once, even when cancelled
        raise
