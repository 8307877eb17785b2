"""A TCP proxy on 127.0.0.1 for putting distance or trouble between the desk and a server.

- `latency`: seconds each byte is held in either direction (a round trip costs 2x it),
  so chatty protocols pay what they would over a real network;
- `cut_after`: close both sides once this many bytes went from the server to the client;
- `cut_up_after`: close both sides once this many bytes went from the client to the server
  (a link lost in the middle of sending);
- `lose_answer_to`: a pattern of a client command (e.g. rb"UID MOVE"): the command reaches
  the server, which carries it out, but its answer never comes back; both sides are closed
  `settle` seconds later (a link that died while the server was answering);
- counts the command lines the client sent (for IMAP: one tagged line per command) and
  keeps their names in `sent` (`SELECT`, `UID FETCH`, ...).
"""

import contextlib
import queue
import re
import socket
import threading
import time

from sellerdesk.devservers import free_port

_IMAP_COMMAND = re.compile(rb"^[A-Za-z0-9]+ ((?:UID )?[A-Za-z]+)", re.MULTILINE | re.IGNORECASE)


class TcpProxy:
    def __init__(
        self,
        target_port: int,
        *,
        latency: float = 0.0,
        cut_after: int | None = None,
        cut_up_after: int | None = None,
        lose_answer_to: bytes | None = None,
        settle: float = 0.5,
    ):
        self.target_port = target_port
        self.latency = latency
        self.cut_after = cut_after
        self.lose_answer_to = re.compile(lose_answer_to) if lose_answer_to else None
        self.settle = settle
        self.cut_up_after = cut_up_after
        self.bytes_up = 0
        self.answers_lost = 0
        self._deaf: set[int] = set()  # ids of client sockets whose answers are dropped
        self.port = free_port()
        self.commands = 0
        self.sent: list[str] = []
        self.bytes_down = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    def start(self) -> "TcpProxy":
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            server = socket.create_connection(("127.0.0.1", self.target_port))
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, upstream: bool):
        """Read from `source`; each chunk reaches `sink` `latency` seconds after it arrived,
        in order. Latency delays the data without limiting how fast it flows."""
        chunks: queue.Queue = queue.Queue()
        writer = threading.Thread(target=self._deliver, args=(chunks, sink), daemon=True)
        writer.start()
        try:
            while not self._stop.is_set():
                data = source.recv(65536)
                if not data:
                    break
                with self._lock:
                    if upstream:
                        names = [n.decode().upper() for n in _IMAP_COMMAND.findall(data)]
                        self.commands += len(names)
                        self.sent += names
                        self.bytes_up += len(data)
                        cut = self.cut_up_after is not None and self.bytes_up > self.cut_up_after
                        if self.lose_answer_to and self.lose_answer_to.search(data):
                            self._deaf.add(id(sink))
                            self.answers_lost += 1
                            threading.Timer(self.settle, self._close, (source, sink)).start()
                    else:
                        self.bytes_down += len(data)
                        cut = self.cut_after is not None and self.bytes_down > self.cut_after
                        if id(source) in self._deaf:
                            continue  # the server's answer is lost on the way
                if cut:
                    break
                chunks.put((time.monotonic() + self.latency, data))
        except OSError:
            pass
        finally:
            chunks.put(None)
            writer.join(timeout=5)
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    @staticmethod
    def _close(*sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _deliver(chunks: queue.Queue, sink: socket.socket):
        try:
            while (item := chunks.get()) is not None:
                due, data = item
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                sink.sendall(data)
        except OSError:
            pass
