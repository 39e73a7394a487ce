#!/usr/bin/env python3
"""An upstream artifact mirror that is briefly unavailable, for the lab
(scripts/lab/boot --flaky-upstream N): serves one file at /<name>, answers
the first N GETs 503, then 200 with the file. Each request is one line on
stdout ("GET /vmlinuz 503"), so a test counts them. It runs inside the lab's
server namespace only; it stands for a mirror, not for a client under test:
the clients are bootd's artifact cache and the VM's iPXE.

Usage: flaky-upstream.py ADDRESS PORT FILE FAILURES"""
import http.server
import os
import sys

address, port, path, failures = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
name = "/" + os.path.basename(path)
seen = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global seen
        seen += 1
        code = 404 if self.path != name else (503 if seen <= failures else 200)
        print(f"GET {self.path} {code}", flush=True)
        if code != 200:
            self.send_response(code)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(os.path.getsize(path)))
        self.end_headers()
        with open(path, "rb") as f:
            self.wfile.write(f.read())

    def log_message(self, *args):
        pass


http.server.HTTPServer((address, port), Handler).serve_forever()
