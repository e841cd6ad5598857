"""Single sign-on against a real OpenID Connect provider served by the test on loopback."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from oidc_provider import Provider

from service.models import Event, User, db

USERS = {
    "wang": {"sub": "u-100", "preferred_username": "sh.wang", "name": "王芳",
             "email": "wang@idp.example", "email_verified": True,
             "groups": ["lp-sh-advisors", "staff"]},
    "boss": {"sub": "u-200", "preferred_username": "sh.advisor2", "name": "Linked",
             "email": "sh.advisor2@linkpass.example", "email_verified": True,
             "groups": ["lp-sh-advisors"]},
    "stranger": {"sub": "u-300", "preferred_username": "x", "name": "X",
                 "email": "x@idp.example", "email_verified": True, "groups": ["other"]},
    "sz": {"sub": "u-400", "preferred_username": "sz.zhao", "name": "赵",
           "email": "zhao@idp.example", "groups": ["lp-sz-advisors"]},
}
GROUPS = {"lp-sh-advisors": {"center": "sh", "roles": ["advisor"]},
          "lp-sz-advisors": {"center": "sz", "roles": ["advisor", "national_finance"]}}


@pytest.fixture
def provider():
    with Provider("linkpass", "s3cret", USERS) as idp:
        yield idp


@pytest.fixture
def sso_client(app, provider):
    app.config.update(OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID="linkpass",
                      OIDC_CLIENT_SECRET="s3cret", OIDC_GROUP_MAP=GROUPS)
    return app.test_client()


def sign_in(client, idp_user: str):
    """Go through the provider's sign-in as a browser would; return the callback response."""
    start = client.get("/org/sso/login")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    assert authorize.startswith("http://127.0.0.1:")
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert requests.get(authorize, timeout=5).status_code == 200  # the provider's form
    approved = requests.post(authorize.split("?")[0], data={**query, "username": idp_user},
                             allow_redirects=False, timeout=5)
    callback = urlsplit(approved.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_a_mapped_identity_gets_a_user_in_the_mapped_center(sso_client, app):
    response = sign_in(sso_client, "wang")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    assert sso_client.get("/inbox").status_code == 200  # signed in
    with app.app_context():
        user = db.session.query(User).filter_by(username="sh.wang").one()
        assert user.center.code == "sh" and user.roles == {"advisor"}
        assert user.sso_subject.endswith(" u-100")
        assert db.session.query(Event).filter_by(action="sso_user_created").count() == 1
        db.session.remove()
    # A second sign-in finds the same user.
    again = app.test_client()
    sign_in_again = sign_in(again, "wang")
    assert sign_in_again.status_code == 302
    with app.app_context():
        assert db.session.query(User).filter_by(email="wang@idp.example").count() == 1
        db.session.remove()


def test_a_verified_email_links_the_existing_account(sso_client, app):
    assert sign_in(sso_client, "boss").status_code == 302
    with app.app_context():
        user = db.session.query(User).filter_by(username="sh.advisor2").one()
        assert user.sso_subject is not None
        db.session.remove()


def test_unmapped_groups_and_unverified_links_get_no_access(sso_client, app):
    refused = sign_in(sso_client, "stranger")
    assert refused.status_code == 403
    assert sso_client.get("/inbox").status_code == 302  # still anonymous
    # A national role mapped into a city center is dropped: roles keep to the kind of center.
    assert sign_in(app.test_client(), "sz").status_code == 302
    with app.app_context():
        assert db.session.query(User).filter_by(username="sz.zhao").one().roles == {"advisor"}
        db.session.remove()


def test_a_forged_state_is_refused(sso_client, provider):
    sso_client.get("/org/sso/login")
    forged = sso_client.get("/org/sso/callback?code=abc&state=forged")
    assert forged.status_code in (400, 401)
    assert sso_client.get("/inbox").status_code == 302


def test_sso_is_off_without_configuration(client):
    assert client.get("/org/sso/login").status_code == 404
