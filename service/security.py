"""Site-wide security headers (flask-talisman), Secure cookies over HTTPS, trusted proxies."""

import re

from flask import Response, g, has_request_context, request, send_file
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

# Every page: scripts only from our own files (no inline script, no eval), nothing framed.
# Styles allow inline attributes: bpmn-js draws with them; no script can hide in a style.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Uploaded or deployed content served back (diagrams, documents, files): a document opened
# from it is sandboxed (no script, no form, no same-origin access) and loads nothing.
SANDBOX_POLICY = "sandbox; default-src 'none'"

# Marks a view that serves uploaded or deployed content (Talisman's per-view options).
served_content = Talisman()(content_security_policy=SANDBOX_POLICY)


def init_app(app) -> None:
    """Send the security headers on every response; read client addresses through proxies."""
    app.after_request(_restore_own_referrer_policy)  # runs after Talisman's (registered later)
    Talisman(
        app,
        force_https=False,  # TLS ends at the proxy; HSTS tells browsers to stay on HTTPS
        strict_transport_security=True,  # sent only on requests that came over HTTPS
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        session_cookie_secure=False,  # decided per request below
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        x_content_type_options=True,
    )
    app.after_request(_note_own_referrer_policy)  # runs before Talisman's
    app.session_interface = SessionInterface()
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        # The address, scheme and host of the client as the trusted proxies saw them: rate
        # limits, lock-out, the audit log and HTTPS detection then see the real client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)


# A page may ask for a stricter Referrer-Policy (a guest link's form: no-referrer); Talisman
# sets one for every response, so the page's own is noted before and put back after it.
def _note_own_referrer_policy(response):
    g.own_referrer_policy = response.headers.get("Referrer-Policy")
    return response


def _restore_own_referrer_policy(response):
    policy = g.pop("own_referrer_policy", None)
    if policy:
        response.headers["Referrer-Policy"] = policy
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions whose cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure)


def untrusted(content: str | bytes, filename: str, mimetype: str = "application/xml",
              inline: bool = False) -> Response:
    """Return uploaded or deployed content so that no browser ever runs it.

    Inline, it is plain text (a viewer's script reads it, a person sees the source); else an
    attachment of its own type. The view carries @served_content (CSP sandbox); Talisman adds
    nosniff to every response.
    """
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # a header value, quoted
    if inline:
        response = Response(content, mimetype="text/plain")
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response = Response(content, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def untrusted_file(path, mimetype: str, filename: str) -> Response:
    """Return a stored upload as an attachment (a view with @served_content)."""
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
