#!/usr/bin/env python3
"""fakeserver.py - a scripted HTTP server on 127.0.0.1 for the tests.

    python3 tests/helpers/fakeserver.py --port-file PATH [--log PATH] ROUTES.json

ROUTES.json maps a URL path (without the query string) to a list of
responses, served in order; the last one repeats for every further request
to that path.  A response is an object:

    status      HTTP status (default 200)
    headers     {"Name": "value", ...} sent as given; Content-Length is
                added for the whole body unless given here
    body        the body as text (UTF-8), or
    body_file   a file holding the body, relative to ROUTES.json's folder
                (or an absolute path)
    cut_after   N: announce the whole body but close after its first N bytes
    delay_ms    N: wait N ms before answering (for timeouts)
    gzip        true: send the body gzip-compressed (Content-Encoding: gzip)

A path not in ROUTES.json answers 404.  The server binds 127.0.0.1 (never
anything else) on a free port, and writes the port to --port-file only once
it is listening (write to a temporary name, then rename, so a reader never
sees a partial number).  With --log, each request appends one JSON line
{"method", "path" (with query), "headers": {selected request headers}}
before it is answered, so a client that got its answer can count requests.
Requests are served concurrently; SIGTERM or SIGINT ends the server with
status 0.  Python 3 standard library only.
"""

import argparse
import gzip
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Request headers worth recording for the tests' assertions.
LOGGED_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Authorization")


class Routes:
    """The scripted responses and, per path, how many have been served."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.table = json.load(f)
        if not isinstance(self.table, dict):
            raise ValueError(f"{path}: not an object of path -> responses")
        self.base = os.path.dirname(os.path.abspath(path))
        self.served = {}
        self.lock = threading.Lock()
        for route, answers in self.table.items():
            if not isinstance(answers, list) or not answers:
                raise ValueError(f"{path}: {route!r}: need a non-empty list")

    def next(self, route):
        """The response for the next request to route, or None."""
        answers = self.table.get(route)
        if answers is None:
            return None
        with self.lock:
            n = self.served.get(route, 0)
            self.served[route] = n + 1
        return answers[min(n, len(answers) - 1)]

    def body(self, answer):
        if "body_file" in answer:
            with open(os.path.join(self.base, answer["body_file"]), "rb") as f:
                return f.read()
        return answer.get("body", "").encode("utf-8")


class Log:
    """One JSON line per request, appended and flushed under a lock."""

    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8") if path else None
        self.lock = threading.Lock()

    def write(self, record):
        if self.f is None:
            return
        line = json.dumps(record, sort_keys=True) + "\n"
        with self.lock:
            self.f.write(line)
            self.f.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeserver/1"

    def log_message(self, format, *args):  # noqa: A002 (base-class name)
        pass  # the JSON log replaces the default stderr chatter

    def do_GET(self):
        self.answer(send_body=True)

    def do_HEAD(self):
        self.answer(send_body=False)

    def answer(self, send_body):
        srv = self.server
        route = self.path.split("?", 1)[0]
        headers = {h: self.headers[h] for h in LOGGED_HEADERS
                   if self.headers[h] is not None}
        srv.log.write({"method": self.command, "path": self.path,
                       "headers": headers})
        answer = srv.routes.next(route)
        if answer is None:
            answer = {"status": 404, "body": "not found\n"}
        if answer.get("delay_ms"):
            time.sleep(answer["delay_ms"] / 1000.0)
        body = srv.routes.body(answer)
        extra = dict(answer.get("headers", {}))
        if answer.get("gzip"):
            body = gzip.compress(body)
            extra["Content-Encoding"] = "gzip"
        self.close_connection = True
        self.send_response(answer.get("status", 200))
        if not any(k.lower() == "content-length" for k in extra):
            self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k, str(v))
        self.send_header("Connection", "close")
        self.end_headers()
        if not send_body:
            return
        cut = answer.get("cut_after")
        if cut is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[:cut])
        self.wfile.flush()
        # Close now, mid-body: the client was promised more.
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that gave up (a timeout test) leaves a broken pipe behind:
        # expected here, so not worth a traceback.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def stop(signum, frame):
    raise SystemExit(0)


def main():
    ap = argparse.ArgumentParser(description="scripted HTTP server for tests")
    ap.add_argument("--port-file", required=True,
                    help="where to write the port once listening")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("routes", help="ROUTES.json")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv = Server(("127.0.0.1", 0), Handler)  # binds and listens
    srv.routes = Routes(args.routes)
    srv.log = Log(args.log)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.replace(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
