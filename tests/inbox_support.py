"""Helpers for the inbox tests: a signed-in browser-like client (HTML, cookies, CSRF tokens)."""

import re
from html import unescape

CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


class WebClient:
    """A Flask test client signed in through the login form; posts carry the CSRF token."""

    def __init__(self, app, username: str | None = None, language: str = "en"):
        self.client = app.test_client()
        self.headers = {"Accept-Language": language, "Accept": "text/html"}
        self.token = None
        if username:
            page = self.get("/login")
            response = self.client.post("/login", headers=self.headers, data={
                "username": username, "password": "linkpass", "csrf_token": self._token(page)})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
            self.get("/inbox")  # signing in starts a fresh session: take its CSRF token

    def _token(self, response) -> str:
        match = CSRF.search(response.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        self.token = match.group(1)
        return self.token

    def get(self, url, **kwargs):
        response = self.client.get(url, headers={**self.headers, **kwargs.pop("headers", {})},
                                   **kwargs)
        if response.status_code == 200 and CSRF.search(response.get_data(as_text=True)):
            self._token(response)
        return response

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, headers={**self.headers,
                                                         **kwargs.pop("headers", {})}, **kwargs)


def text(response) -> str:
    """Return the page's visible text, roughly (tags dropped, entities decoded)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def field_error(response, path: str) -> str | None:
    """Return the error shown beside a form field, or None."""
    html = response.get_data(as_text=True)
    match = re.search(r'data-error-for="' + re.escape(path) + r'">(.*?)</div>', html, re.S)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives (for the mail tests)."""

    def __init__(self):
        import socketserver
        import threading

        sink = self
        self.messages: list[tuple[list[str], bytes]] = []

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 sink ESMTP\r\n")
                recipients, lines, in_data = [], [], False
                while line := self.rfile.readline():
                    if in_data:
                        if line == b".\r\n":
                            sink.messages.append((recipients, b"".join(lines)))
                            recipients, lines, in_data = [], [], False
                            self.wfile.write(b"250 queued\r\n")
                        else:
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
                    elif verb == b"RCPT":
                        recipients.append(line.split(b":", 1)[1].strip(b" <>\r\n").decode())
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == b"DATA":
                        in_data = True
                        self.wfile.write(b"354 go on\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def parsed(self):
        """Return the received messages as email.message.EmailMessage objects."""
        from email import message_from_bytes
        from email.policy import default

        return [message_from_bytes(raw, policy=default) for _, raw in self.messages]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
