#!/usr/bin/env python3
"""rawhttp.py - raw-socket HTTP clients for pp-serve's tests (loopback).

  rawhttp.py slow PORT PATH BODY GOFILE
      send the headers and half of BODY, wait (at most 10 s) until GOFILE
      exists, send the rest; print the status line of the answer.
  rawhttp.py stall PORT
      send half a request line and stall; print how many seconds passed
      before the server closed the connection (at most 10).
  rawhttp.py hold PORT N SECONDS
      open N connections, print "held", keep them idle for SECONDS, then
      close them.
"""
import os
import socket
import sys
import time


def connect(port):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    return s


def slow(port, path, body, gofile):
    s = connect(port)
    body = body.encode()
    head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (path, len(body))).encode()
    s.sendall(head + body[: len(body) // 2])
    for _ in range(1000):
        if os.path.exists(gofile):
            break
        time.sleep(0.01)
    s.sendall(body[len(body) // 2:])
    data = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        data += got
    print(data.split(b"\r\n", 1)[0].decode())


def stall(port):
    s = connect(port)
    s.sendall(b"POST /v1/models/m:predict HTT")
    t0 = time.monotonic()
    try:
        got = s.recv(1)
    except (ConnectionResetError, socket.timeout):
        got = b""
    print("closed" if got == b"" else "answered",
          int(time.monotonic() - t0 + 0.5))


def hold(port, n, secs):
    socks = [connect(port) for _ in range(int(n))]
    print("held", flush=True)
    time.sleep(float(secs))
    for s in socks:
        s.close()


if __name__ == "__main__":
    {"slow": slow, "stall": stall, "hold": hold}[sys.argv[1]](*sys.argv[2:])
