"""A small, real OpenID Connect provider for the tests, served on loopback in a thread.

Discovery, an authorize page with a sign-in form, the token endpoint (authorization code,
client_secret_basic or client_secret_post), userinfo and JWKS; ID tokens signed RS256 with
joserfc. Import it from any test folder: `from oidc_provider import Provider`.
"""

import base64
import secrets
import threading
import time
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, render_template_string, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

SIGN_IN_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Test IdP</title></head>
<body><h1>Test identity provider</h1>
<form method="post"><label for="idp-user">User</label>
<input id="idp-user" name="username"><button id="idp-sign-in">Sign in</button>
{% for k, v in params.items() %}<input type="hidden" name="{{ k }}" value="{{ v }}">{% endfor %}
</form></body></html>"""


class Provider:
    """Serve an identity provider for the given client and users ({username: claims})."""

    def __init__(self, client_id: str, client_secret: str, users: dict[str, dict]):
        self.client_id, self.client_secret, self.users = client_id, client_secret, users
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, str] = {}
        self.app = self._build()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)

    def id_token(self, username: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "sub": self.users[username]["sub"], **self.users[username]}
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)

    def _client_ok(self) -> bool:
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        else:
            client_id = request.form.get("client_id", "")
            secret = request.form.get("client_secret", "")
        return client_id == self.client_id and secret == self.client_secret

    def _build(self) -> Flask:
        app = Flask("test_idp")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                          "client_secret_post"]})

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            params = request.values
            if (params.get("client_id") != self.client_id
                    or params.get("response_type") != "code"
                    or "openid" not in params.get("scope", "").split()):
                abort(400)
            if request.method == "GET":
                keep = {k: params[k] for k in ("client_id", "response_type", "scope",
                                               "redirect_uri", "state", "nonce") if k in params}
                return render_template_string(SIGN_IN_PAGE, params=keep)
            username = params.get("username", "")
            if username not in self.users:
                abort(403)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"username": username, "nonce": params.get("nonce"),
                                "redirect_uri": params["redirect_uri"]}
            query = urlencode({"code": code, "state": params.get("state", "")})
            return redirect(f"{params['redirect_uri']}?{query}")

        @app.post("/token")
        def token():
            if not self._client_ok():
                return jsonify({"error": "invalid_client"}), 401
            grant = self.codes.pop(request.form.get("code", ""), None)  # single use
            if (request.form.get("grant_type") != "authorization_code" or grant is None
                    or grant["redirect_uri"] != request.form.get("redirect_uri")):
                return jsonify({"error": "invalid_grant"}), 400
            access = secrets.token_urlsafe(16)
            self.access_tokens[access] = grant["username"]
            return jsonify({"access_token": access, "token_type": "Bearer", "expires_in": 300,
                            "id_token": self.id_token(grant["username"], grant["nonce"])})

        @app.get("/userinfo")
        def userinfo():
            username = self.access_tokens.get(
                request.headers.get("Authorization", "")[7:].strip())
            if username is None:
                return jsonify({"error": "invalid_token"}), 401
            return jsonify(self.users[username])

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        return app
