#!/usr/bin/env python3
"""Opens N TLS connections to HOST:PORT, completes every handshake, and holds
them idle: prints "ready N" once all are established, then waits for stdin to
close (or SIGTERM) and exits. Used by bench/run.sh to measure the server's
memory per idle connection. Loopback only; bounded by N and a deadline."""

import resource
import socket
import ssl
import sys
import time


def main() -> int:
    if len(sys.argv) != 5:
        print("usage: hold.py HOST PORT COUNT CAFILE", file=sys.stderr)
        return 2
    host, port, count, cafile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    deadline = time.monotonic() + 120
    held = []
    for _ in range(count):
        if time.monotonic() > deadline:
            print(f"timeout after {len(held)} connections", file=sys.stderr)
            return 1
        raw = socket.create_connection((host, port), timeout=10)
        tls = ctx.wrap_socket(raw, server_hostname="localhost")
        held.append(tls)
    print(f"ready {len(held)}", flush=True)
    sys.stdin.read()
    for s in held:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
