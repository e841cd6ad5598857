"""Sign-in: lock-out, address rate limit, reset and invitation links, revocable tokens."""

import re
from datetime import timedelta

from support import PASSWORD

from service import clock
from service.models import Notification, db


def token_for(client, username, password=PASSWORD, address="127.0.0.1"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def last_link(app, recipient, kind):
    with app.app_context():
        mail = db.session.query(Notification).filter_by(address=recipient) \
            .order_by(Notification.id.desc()).first()
        db.session.remove()
    assert mail is not None, f"no mail to {recipient}"
    return re.search(rf"/org/{kind}/(\S+)", mail.body).group(1)


def test_five_failed_sign_ins_lock_the_account(client):
    for _ in range(4):
        assert token_for(client, "sh.advisor", "wrong-password").status_code == 401
    assert token_for(client, "sh.advisor").status_code == 200  # success resets the count
    for _ in range(5):
        assert token_for(client, "sh.advisor", "wrong-password").status_code == 401
    locked = token_for(client, "sh.advisor")  # the right password, but locked
    assert locked.status_code == 429 and locked.json["code"] == "too_many_attempts"
    assert token_for(client, "sh.advisor2").status_code == 200  # only that account
    clock.advance(timedelta(minutes=16))
    assert token_for(client, "sh.advisor").status_code == 200


def test_one_address_is_throttled_across_accounts(client):
    names = ["nobody", "sh.advisor", "sz.advisor", "ghost"]
    for i in range(20):
        token_for(client, names[i % 4], "wrong-password", address="10.0.0.9")
    throttled = token_for(client, "sh.advisor2", address="10.0.0.9")
    assert throttled.status_code == 429
    assert token_for(client, "sh.advisor2", address="10.0.0.10").status_code == 200
    clock.advance(timedelta(minutes=16))
    assert token_for(client, "sh.advisor2", address="10.0.0.9").status_code == 200


def test_reset_link_is_single_use_and_expiring(app, client):
    assert client.post("/api/v1/org/password/forgot",
                       json={"login": "sh.advisor"}).status_code == 202
    # Unknown accounts get the same answer and no mail.
    assert client.post("/api/v1/org/password/forgot",
                       json={"login": "nobody"}).status_code == 202
    token = last_link(app, "sh.advisor@linkpass.example", "password/reset")
    weak = client.post("/api/v1/org/password/reset", json={"token": token, "password": "abc"})
    assert weak.status_code == 422 and "password" in weak.json["details"]
    new = "Shanghai2026new"
    assert client.post("/api/v1/org/password/reset",
                       json={"token": token, "password": new}).status_code == 204
    assert token_for(client, "sh.advisor", new).status_code == 200
    assert token_for(client, "sh.advisor").status_code == 401  # the old one is gone
    again = client.post("/api/v1/org/password/reset",
                        json={"token": token, "password": "Another2026pass"})
    assert again.status_code == 404  # used once
    client.post("/api/v1/org/password/forgot", json={"login": "sh.advisor@linkpass.example"})
    late = last_link(app, "sh.advisor@linkpass.example", "password/reset")
    clock.advance(timedelta(minutes=61))
    expired = client.post("/api/v1/org/password/reset",
                          json={"token": late, "password": "Another2026pass"})
    assert expired.status_code == 404
    assert token_for(client, "sh.advisor", new).status_code == 200


def test_reset_unlocks_a_locked_account(app, client):
    for _ in range(5):
        token_for(client, "sz.advisor", "wrong-password")
    assert token_for(client, "sz.advisor").status_code == 429
    client.post("/api/v1/org/password/forgot", json={"login": "sz.advisor"})
    token = last_link(app, "sz.advisor@linkpass.example", "password/reset")
    client.post("/api/v1/org/password/reset", json={"token": token, "password": "Shenzhen2026x"})
    assert token_for(client, "sz.advisor", "Shenzhen2026x").status_code == 200


def test_invited_user_chooses_a_password_once(app, client, as_user):
    president = as_user("sh.president")
    created = president.post("/api/v1/org/users", json={
        "username": "sh.new", "display_name": "新顾问", "email": "new@linkpass.example",
        "center": "sh", "roles": ["advisor"]})
    assert created.status_code == 201
    assert token_for(client, "sh.new", "").status_code in (401, 422)
    token = last_link(app, "new@linkpass.example", "invite")
    assert client.post("/api/v1/org/invitations/accept",
                       json={"token": token, "password": "sh.new-2026pw"}).status_code == 422
    assert client.post("/api/v1/org/invitations/accept",
                       json={"token": token, "password": "Welcome2026lp"}).status_code == 204
    assert token_for(client, "sh.new", "Welcome2026lp").status_code == 200
    assert client.post("/api/v1/org/invitations/accept",
                       json={"token": token, "password": "Welcome2026xx"}).status_code == 404
    listed = president.get("/api/v1/org/users/sh.new").json
    assert listed["invited"] is False


def test_revoked_tokens_are_refused_at_once(client, as_user):
    api = as_user("sh.advisor")
    second = token_for(client, "sh.advisor").json["token"]
    tokens = api.get("/api/v1/org/tokens").json
    assert len(tokens) == 2 and sum(t["current"] for t in tokens) == 1
    other = next(t for t in tokens if not t["current"])
    assert api.post(f"/api/v1/org/tokens/{other['id']}/revoke").status_code == 204
    refused = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {second}"})
    assert refused.status_code == 401
    assert api.get("/api/v1/tasks").status_code == 200  # the current token still works
    listed = {t["id"]: t for t in api.get("/api/v1/org/tokens").json}
    assert listed[other["id"]]["live"] is False
    # Another user's token cannot be revoked (nor seen).
    mine = as_user("sh.advisor2").get("/api/v1/org/tokens").json[0]["id"]
    assert api.post(f"/api/v1/org/tokens/{mine}/revoke").status_code == 404
    current = next(t for t in tokens if t["current"])
    assert api.post(f"/api/v1/org/tokens/{current['id']}/revoke").status_code == 204
    assert api.get("/api/v1/tasks").status_code == 401


def test_changing_the_own_password_checks_the_current_one(as_user, client):
    api = as_user("sh.advisor2")
    assert api.post("/api/v1/org/password", json={
        "current_password": "wrong", "new_password": "Better2026pass"}).status_code == 422
    assert api.post("/api/v1/org/password", json={
        "current_password": PASSWORD, "new_password": "Better2026pass"}).status_code == 204
    assert token_for(client, "sh.advisor2", "Better2026pass").status_code == 200
