"""A micro-cache in front of the app, in each worker process: what a reverse proxy's cache would do, for public pages.

The app already says which answers anyone may share (app/web.py: anonymous public pages get ``Cache-Control:
public, max-age=PUBLIC_CACHE_SECONDS``, an ETag, no cookie). This middleware keeps those answers, as sent
(compressed), for their max-age, and answers the next anonymous visitor from memory without running the app: a spike
of visitors on the campaign page costs one rendering per page, encoding and max-age, not one per visitor.

Only requests that carry no cookie at all are served or stored (a session, a language chosen: never), only GET and
HEAD, only 200 (and an unchanged poll's 204) answers marked public without Set-Cookie. The key holds everything the
answer varies on here: path, query string, the htmx header, the negotiated encoding and the address the request
names (host, scheme, forwarded headers). A stale entry is at most max-age old, as with any shared cache the page
allows; ``If-None-Match`` gets its 304 from the entry too.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
Entry = tuple[float, float, str, list[tuple[str, str]], bytes]

# The headers kept with an entry (the rest are per response: Date, Server, Content-Length is recomputed).
KEPT_HEADERS = ("content-type", "content-encoding", "cache-control", "etag", "vary", "content-security-policy",
                "x-content-type-options", "referrer-policy", "x-frame-options", "strict-transport-security",
                "content-language")


def _encoding(accept: str) -> str:
    """The encoding the app's compression would pick for this Accept-Encoding (br before gzip, as configured)."""
    offered = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    for name in ("br", "gzip"):
        if name in offered:
            return name
    return ""


def _max_age(cache_control: str) -> int | None:
    parts = [part.strip().lower() for part in cache_control.split(",")]
    if "public" not in parts or "private" in parts or "no-store" in parts:
        return None
    for part in parts:
        if part.startswith("max-age="):
            try:
                return int(part.removeprefix("max-age="))
            except ValueError:
                return None
    return None


class MicroCache:
    def __init__(self, app: Callable[[Environ, StartResponse], Iterable[bytes]], entries: int = 256,
                 clock: Callable[[], float] = time.monotonic):
        self.app, self.entries, self.clock = app, entries, clock
        # key → (stored at, expires at, status, headers, body)
        self._store: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _key(self, environ: Environ) -> tuple | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_COOKIE"):
            return None
        return (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), bool(environ.get("HTTP_HX_REQUEST")),
                _encoding(environ.get("HTTP_ACCEPT_ENCODING", "")),
                # What a page may print of its own address (og:url): a forged Host or forwarded header gets an entry
                # of its own, never the one everyone else is served.
                environ.get("HTTP_HOST", ""), environ.get("wsgi.url_scheme", ""),
                environ.get("HTTP_X_FORWARDED_HOST", ""), environ.get("HTTP_X_FORWARDED_PROTO", ""),
                environ.get("SCRIPT_NAME", ""))

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        now = self.clock()
        with self._lock:
            entry = self._store.get(key)
            if entry is not None and entry[1] <= now:
                del self._store[key]
                entry = None
            if entry is not None:
                self._store.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
        if entry is not None:
            return self._answer(environ, start_response, entry, now)
        return self._fill(key, environ, start_response, now)

    def _answer(self, environ: Environ, start_response: StartResponse, entry: Entry, now: float) -> Iterable[bytes]:
        stored, _expires, status, headers, body = entry
        age = ("Age", str(int(now - stored)))
        etag = next((value for name, value in headers if name.lower() == "etag"), None)
        if etag and etag in (environ.get("HTTP_IF_NONE_MATCH") or ""):
            kept = [h for h in headers if h[0].lower() in ("etag", "cache-control", "vary")]
            start_response("304 NOT MODIFIED", kept + [age])
            return [b""]
        start_response(status, headers + [("Content-Length", str(len(body))), age])
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def _fill(self, key: tuple, environ: Environ, start_response: StartResponse, now: float) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        status, headers = captured.get("status", ""), captured.get("headers", [])
        names = {name.lower(): value for name, value in headers}
        ttl = _max_age(names.get("cache-control", ""))
        if (environ.get("REQUEST_METHOD") != "GET" or not status.startswith(("200", "204")) or not ttl
                or "set-cookie" in names):
            return result
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        kept = [(name, value) for name, value in headers if name.lower() in KEPT_HEADERS]
        with self._lock:
            self._store[key] = (now, now + ttl, status, kept, body)
            self._store.move_to_end(key)
            while len(self._store) > self.entries:
                self._store.popitem(last=False)
        return [body]
