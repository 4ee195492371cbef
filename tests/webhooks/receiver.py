"""A real HTTP(S) server on loopback that records the webhooks it receives.

It answers each request with the next queued status (200 once the queue is empty). Over TLS it
serves a certificate from a test CA (trustme) and records the SNI name each client sent.
"""

import contextlib
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Received] = []
        self.sni: list[str | None] = []
        self._answers: list[tuple[int, bytes, float]] = []
        self._changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: self.sni.append(name)
            # The handshake happens in the request's own thread, on its first read.
            self.server.socket = tls.wrap_socket(
                self.server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/hook", host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def answer(self, *codes: int, body: bytes = b'{"ok": true}', delay: float = 0) -> None:
        """Queue the statuses of the next requests, in order."""
        with self._changed:
            self._answers.extend((code, body, delay) for code in codes)

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.requests)} requests arrived, not {count}")
                self._changed.wait(left)
            return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._changed:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                    answer = receiver._answers.pop(0) if receiver._answers else (200, b"{}", 0)
                    receiver._changed.notify_all()
                code, reply, delay = answer
                time.sleep(delay)
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", "https://elsewhere.example/")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.send_header("Connection", "close")
                self.end_headers()
                with contextlib.suppress(OSError):  # the client stopped reading: a capped read
                    self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
