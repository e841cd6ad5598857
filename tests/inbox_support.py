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


REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


def repository_app(make_app, tmp_path):
    """Return an app on the repository's processes and forms, all deployed, demo users seeded."""
    from sqlalchemy import select

    from service import clock
    from service.models import User, db
    from service.usecases import deployments, org, public
    from service.usecases.context import Actor

    app = make_app(PROCESSES_DIR=str(REPO / "processes"), FORMS_DIR=str(REPO / "forms"),
                   CRM_DOCUMENTS_DIR=str(tmp_path / "documents"),
                   ATTACHMENTS_DIR=str(tmp_path / "attachments"))
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        org.seed_demo()
        owner = db.session.scalar(select(User).where(User.username == "owner"))
        outcomes = deployments.deploy_directory(Actor.of(owner), str(REPO / "processes"))
        assert all(not o.startswith("refused") for _, o in outcomes), outcomes
        db.session.remove()
    clock.reset()
    public.limiter.reset()
    return app


def credit_code(first17: str) -> str:
    """Return a valid unified social credit code completing 17 characters."""
    from service.usecases.credit_code import check_character

    return first17 + check_character(first17)


def needs_data(company: str, code: str, **over) -> dict:
    """The needs form of the ten-step flow, as the API takes it."""
    data = {"company_name": company, "credit_code": code, "industry": "manufacturing",
            "size": "small", "contact_name": "王立", "contact_phone": "13800138000",
            "needs": ["consulting", "training"], "expectations": "提升质量管理水平",
            "channel": "phone", "contacted_at": "2026-05-06T10:00", "place": "电话",
            "summary": "客户希望建立质量管理体系"}
    return {**data, **over}


def start_with_needs(api, company: str, code: str) -> int:
    """Start the ten-step flow as an advisor and complete the needs step; return the instance."""
    instance = api.start("enterprise_service")["id"]
    task = next(t for t in api.tasks("candidate") + api.tasks("mine")
                if t["instance_id"] == instance and t["bpmn_id"] == "task_collect_needs")
    api.complete(task["id"], needs_data(company, code))
    return instance
