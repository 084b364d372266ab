# A loopback-only OCSP responder for the tests: each POSTed request is answered
# by `openssl ocsp` from the intermediate CA's index (openssl's own -port
# listens on every interface). "fixed FILE" answers every request with FILE.
# GET serves misbehaving distribution points (see do_GET).
import http.server, os, subprocess, sys, tempfile, time

mode = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        # Misbehaving distribution points, by path.
        if self.path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path.startswith("/html"):
            self.answer(b"<html><body>Not found</body></html>", "text/html")
        elif self.path.startswith("/trickle"):
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(120):
                self.wfile.write(b"0")
                self.wfile.flush()
                time.sleep(1)
        elif self.path.startswith("/huge"):
            # No Content-Length: only a cap on what is read stops the client.
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"\0" * 65536
            try:
                for _ in range(200):
                    self.wfile.write(chunk)
            except OSError:
                pass
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        req = self.rfile.read(n)
        if self.path != "/":
            return self.do_GET()
        # One line per OCSP request, so that tests can count fetches.
        with open("ocsp-requests.log", "a") as log:
            log.write(mode + "\n")
        if mode == "fixed":
            with open(sys.argv[2], "rb") as f:
                body = f.read()
        else:
            with tempfile.TemporaryDirectory() as d:
                with open(os.path.join(d, "req.der"), "wb") as f:
                    f.write(req)
                subprocess.run(
                    ["openssl", "ocsp", "-index", "int/index.txt", "-CA", "int/cert.pem",
                     "-rsigner", "int/cert.pem", "-rkey", "int/key.pem",
                     "-reqin", os.path.join(d, "req.der"),
                     "-respout", os.path.join(d, "resp.der"), "-ndays", "1"],
                    check=True, capture_output=True)
                with open(os.path.join(d, "resp.der"), "rb") as f:
                    body = f.read()
        self.answer(body, "application/ocsp-response")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
