"""Sign-in (issue 14, point 3): next stays on the site; a password change or reset ends what
the old password opened; unknown names cost a real hash; activation unlocks; sign-ins are
audited with the client's address, read through TRUSTED_PROXIES."""

import re

import pytest
from inbox_support import WebClient
from sqlalchemy import select
from support import ApiClient

from service.models import Notification, db
from service.usecases import signin

NEW_PASSWORD = "Harbour2026river"


def login_to(app, next_query: str):
    """Sign in through the form with a raw ?next=...; return the redirect."""
    web = WebClient(app)
    page = web.get("/login")
    assert page.status_code == 200
    return web.client.post(f"/login?next={next_query}", headers=web.headers, data={
        "username": "sh.advisor", "password": "linkpass", "csrf_token": web.token})


@pytest.mark.parametrize("hostile", [
    "/%09/evil.example/phish", "/%0D%0ASet-Cookie:%20x=1", "%0D%0A", "/%5Cevil.example",
    "//evil.example/phish", "https://evil.example/", "/%0A/evil.example", "%2F%2Fevil.example",
    "javascript:alert(1)"])
def test_next_never_leaves_the_site(app, hostile):
    response = login_to(app, hostile)
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"


def test_next_within_the_site_is_followed(app):
    response = login_to(app, "/tasks/abc%3Fx%3D1")
    assert response.status_code == 302 and response.headers["Location"] == "/tasks/abc?x=1"
    web = WebClient(app, "sh.advisor")
    switched = web.post("/lang/en", {"next": "/\t/evil.example"})
    assert switched.headers["Location"] == "/inbox"


def test_a_password_change_ends_the_other_sessions_and_revokes_every_token(app, client):
    here, elsewhere = WebClient(app, "sh.advisor"), WebClient(app, "sh.advisor")
    api = ApiClient(client, "sh.advisor")
    assert api.get("/api/v1/tasks").status_code == 200
    changed = here.post("/org/account", {"current_password": "linkpass",
                                         "password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert here.get("/inbox").status_code == 200  # the session that changed it stays
    assert elsewhere.get("/inbox").status_code == 302  # the other one is signed out
    assert api.get("/api/v1/tasks").status_code == 401
    fresh = client.post("/api/v1/auth/token", json={"username": "sh.advisor",
                                                    "password": NEW_PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {fresh}"}
    again = client.post("/api/v1/org/password", headers=headers, json={
        "current_password": NEW_PASSWORD, "new_password": NEW_PASSWORD + "2"})
    assert again.status_code == 204
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401  # all, this too
    assert here.get("/inbox").status_code == 302  # changed from the API: every session ends


def test_a_password_reset_revokes_the_tokens(app, client):
    api = ApiClient(client, "sh.advisor")
    assert client.post("/api/v1/org/password/forgot",
                       json={"login": "sh.advisor"}).status_code == 202
    with app.app_context():
        body = db.session.scalars(select(Notification.body).where(
            Notification.kind == "password_reset")).one()
        db.session.remove()
    token = re.search(r"/org/password/reset/(\S+)", body).group(1)
    assert client.post("/api/v1/org/password/reset", json={
        "token": token, "password": NEW_PASSWORD}).status_code == 204
    assert api.get("/api/v1/tasks").status_code == 401


def test_an_unknown_username_checks_a_hash_of_the_configured_method(app, client,
                                                                    monkeypatch):
    checked = []
    real = signin.check_password_hash
    monkeypatch.setattr(signin, "check_password_hash",
                        lambda hashed, password: checked.append(hashed) or real(hashed, password))
    for method in ("pbkdf2:sha256:1000", "scrypt"):
        app.config["PASSWORD_HASH_METHOD"] = method
        assert client.post("/api/v1/auth/token", json={
            "username": "nobody", "password": "guess"}).status_code == 401
        assert checked.pop().startswith(f"{method}$" if ":" in method else f"{method}:")


def test_activating_a_locked_out_user_clears_the_lock(app, client, as_user):
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        client.post("/api/v1/auth/token", json={"username": "sh.advisor", "password": "no"})
    locked = client.post("/api/v1/auth/token", json={"username": "sh.advisor",
                                                     "password": "linkpass"})
    assert locked.status_code == 429
    president = as_user("sh.president")
    assert president.get("/api/v1/org/users/sh.advisor").json["locked"] is True
    assert president.post("/api/v1/org/users/sh.advisor/activate").status_code == 200
    assert president.get("/api/v1/org/users/sh.advisor").json["locked"] is False
    assert client.post("/api/v1/auth/token", json={
        "username": "sh.advisor", "password": "linkpass"}).status_code == 200
    changes = president.get("/api/v1/org/events").json["items"]
    assert changes[0]["action"] == "user_unlocked" and changes[0]["actor"] == "sh.president"


def sign_ins(api: ApiClient) -> list[tuple]:
    items = api.get("/api/v1/org/events?sign_ins=true&per_page=100").json["items"]
    return [(e["action"], e["details"]["username"], e["details"].get("address"),
             e["details"].get("reason")) for e in items]


def test_sign_ins_and_failures_are_audited_with_the_clients_address(app, as_user):
    client = app.test_client()
    remote = {"REMOTE_ADDR": "198.51.100.4"}
    client.post("/api/v1/auth/token", environ_base=remote,
                json={"username": "sh.advisor", "password": "wrong"})
    client.post("/api/v1/auth/token", environ_base=remote,
                json={"username": "ghost", "password": "wrong"})
    client.post("/api/v1/auth/token", environ_base=remote,
                json={"username": "sh.advisor", "password": "linkpass"})
    assert sign_ins(as_user("admin"))[1:4] == [
        ("signed_in", "sh.advisor", "198.51.100.4", None),
        ("sign_in_failed", "ghost", "198.51.100.4", "unknown_user"),
        ("sign_in_failed", "sh.advisor", "198.51.100.4", "wrong_password")]
    seen = {(action, name) for action, name, _, _ in sign_ins(as_user("sz.president"))}
    assert ("signed_in", "sz.president") in seen and not any(
        name in ("sh.advisor", "ghost") for _, name in seen)  # a city sees its own only
    assert "sign_in_failed" not in {e["action"] for e in as_user("admin").get(
        "/api/v1/org/events").json["items"]}  # the change log keeps to changes


def test_behind_trusted_proxies_the_forwarded_address_counts(make_app, app):
    for hops, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        proxied = make_app(TRUSTED_PROXIES=hops, SIGNIN_ADDRESS_LIMIT=2).test_client()
        forwarded = {"X-Forwarded-For": "203.0.113.9"}
        for _ in range(2):
            proxied.post("/api/v1/auth/token", headers=forwarded,
                         json={"username": "ghost", "password": "x"})
        assert proxied.post("/api/v1/auth/token", headers=forwarded, json={
            "username": "sh.advisor", "password": "linkpass"}).status_code == 429
        # Another client behind the same proxy is not throttled for the first one's failures.
        other = proxied.post("/api/v1/auth/token", headers={"X-Forwarded-For": "192.0.2.1"},
                             json={"username": "sh.advisor", "password": "linkpass"})
        assert other.status_code == (200 if hops else 429)
        admin = ApiClient(make_app(TRUSTED_PROXIES=hops).test_client(), "admin")
        assert [a for _, name, a, _ in sign_ins(admin) if name == "ghost"][0] == expected
        with app.app_context():  # the next round starts from a clean slate
            from service.models import Event, SignInFailure
            db.session.execute(SignInFailure.__table__.delete())
            db.session.execute(Event.__table__.delete())
            db.session.commit()
            db.session.remove()
