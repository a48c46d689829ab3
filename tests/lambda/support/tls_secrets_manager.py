#!/usr/bin/env python3
"""An HTTPS stand-in for Secrets Manager (TLS only: the SigV4 check lives in the C++ fake).

Usage: tls_secrets_manager.py CERT KEY PORT_FILE; answers every POST with a GetSecretValue
body whose SecretString is $SECRET_STRING, and writes its port to PORT_FILE when ready."""
import http.server
import json
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok = self.headers.get("X-Amz-Target") == "secretsmanager.GetSecretValue" and \
            self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 ")
        body = json.dumps({"SecretString": os.environ["SECRET_STRING"]} if ok else
                          {"__type": "InvalidSignatureException", "message": "unsigned"}).encode()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    cert, key, port_file = sys.argv[1:4]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
