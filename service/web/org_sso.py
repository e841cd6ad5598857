"""Single sign-on through an OpenID Connect provider (Authlib's Flask client)."""

from authlib.integrations.flask_client import OAuth, OAuthError
from flask import abort, current_app, redirect, request, session, url_for
from flask_login import login_user

from service.auth import SessionUser
from service.errors import Unauthorized
from service.usecases import sso
from service.usecases.public_url import public_url

from .org import bp

EXTENSION = "org_oauth"


def _client():
    """Return the provider's client, registered on first use (404 when SSO is not configured)."""
    oauth = current_app.extensions.get(EXTENSION)
    if oauth is None:
        config = current_app.config
        if not (config["OIDC_ISSUER"] and config["OIDC_CLIENT_ID"]):
            abort(404)
        oauth = OAuth(current_app._get_current_object())  # one registry per app
        oauth.register("oidc", client_id=config["OIDC_CLIENT_ID"],
                       client_secret=config["OIDC_CLIENT_SECRET"],
                       server_metadata_url=config["OIDC_ISSUER"].rstrip("/")
                       + "/.well-known/openid-configuration",
                       client_kwargs={"scope": config["OIDC_SCOPES"]})
        current_app.extensions[EXTENSION] = oauth
    return oauth.oidc


@bp.route("/sso/login")
def sso_login():
    """Send the browser to the provider to sign in."""
    return _client().authorize_redirect(public_url(url_for("org.sso_callback")))


@bp.route("/sso/callback")
def sso_callback():
    """Sign in with the identity the provider vouched for (state, nonce, signature checked)."""
    client = _client()
    try:
        token = client.authorize_access_token()
    except OAuthError as exc:
        raise Unauthorized(f"single sign-on failed: {exc.error}") from None
    claims = dict(token.get("userinfo") or {})
    if current_app.config["OIDC_GROUPS_CLAIM"] not in claims:
        claims.update(client.userinfo(token=token))
    user = sso.sign_in(client.load_server_metadata()["issuer"], claims, request.remote_addr)
    session.clear()  # a fresh session on sign-in: no fixation
    login_user(SessionUser(user))
    return redirect(url_for("web.inbox"))
