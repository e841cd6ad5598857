"""Bearer tokens: who gets one, what a bad or old one gets, and what the database keeps."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from service import clock
from service.models import ApiToken, Center, User, db

TOKEN_URL = "/api/v1/auth/token"
PROTECTED = [
    ("get", "/api/v1/processes"),
    ("post", "/api/v1/processes"),
    ("get", "/api/v1/processes/simple_task"),
    ("get", "/api/v1/processes/simple_task/versions/1/bpmn"),
    ("get", "/api/v1/instances"),
    ("post", "/api/v1/instances"),
    ("get", "/api/v1/instances/1"),
    ("get", "/api/v1/instances/1/events"),
    ("post", "/api/v1/instances/1/suspend"),
    ("post", "/api/v1/instances/1/resume"),
    ("post", "/api/v1/instances/1/terminate"),
    ("post", "/api/v1/instances/1/retry"),
    ("post", "/api/v1/instances/1/migrate"),
    ("get", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/x"),
    ("post", "/api/v1/tasks/x/claim"),
    ("post", "/api/v1/tasks/x/unclaim"),
    ("post", "/api/v1/tasks/x/assign"),
    ("post", "/api/v1/tasks/x/complete"),
    ("post", "/api/v1/messages"),
]


def token_for(client, username="sh.advisor", password="linkpass"):
    return client.post(TOKEN_URL, json={"username": username, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_401(response) -> dict:
    assert response.status_code == 401, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == "unauthorized"
    assert "token" not in body.get("details", {})
    return body


@pytest.fixture(autouse=True)
def _real_time():
    clock.reset()
    yield
    clock.reset()


def test_right_password_gets_a_working_token(client):
    response = token_for(client)
    assert response.status_code == 200, response.json
    token = response.json["token"]
    assert isinstance(token, str) and len(token) >= 32
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(client):
    wrong = assert_401(token_for(client, password="not-the-password"))
    unknown = assert_401(token_for(client, username="nobody.here"))
    assert wrong == unknown
    assert "token" not in wrong
    empty = token_for(client, password="")
    assert empty.status_code in (401, 422), empty.json
    assert "token" not in empty.json


@pytest.mark.parametrize("method,url", PROTECTED)
def test_every_api_endpoint_needs_a_token(client, method, url):
    assert_401(getattr(client, method)(url, json={}))


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Bearer garbage", "Bearer " + "a" * 43,
    "Basic c2guYWR2aXNvcjpsaW5rcGFzcw==", "Token {token}", "{token}",
    "Bearer {token}x", "Bearer {tail}",
])
def test_missing_or_garbage_bearer_is_401(client, header):
    token = token_for(client).json["token"]
    headers = {}
    if header is not None:
        headers["Authorization"] = header.format(token=token, tail=token[:-1])
    assert_401(client.get("/api/v1/tasks", headers=headers))
    # The real token still works: the refusal was about the header.
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200


def test_token_expires_after_the_configured_hours(app, client):
    ttl = app.config["TOKEN_TTL_HOURS"]
    token = token_for(client).json["token"]
    clock.advance(timedelta(hours=ttl - 1))
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    clock.advance(timedelta(hours=2))
    body = assert_401(client.get("/api/v1/tasks", headers=bearer(token)))
    assert "expired" in body["message"]
    # A fresh sign-in at the new time works again.
    fresh = token_for(client).json["token"]
    assert client.get("/api/v1/tasks", headers=bearer(fresh)).status_code == 200


def test_short_ttl_app_expires_its_tokens(app, make_app):
    short = make_app(TOKEN_TTL_HOURS=1).test_client()
    response = token_for(short)
    assert response.status_code == 200
    token = response.json["token"]
    clock.advance(timedelta(minutes=50))
    assert short.get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    clock.advance(timedelta(minutes=20))
    assert_401(short.get("/api/v1/tasks", headers=bearer(token)))


def test_tokens_are_stored_hashed(app, client):
    token = token_for(client).json["token"]
    with app.app_context():
        rows = db.session.scalars(select(ApiToken)).all()
        assert len(rows) == 1
        row = rows[0]
        assert row.token_hash != token
        assert len(row.token_hash) == 64
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr(row.__dict__)
        db.session.remove()


def test_passwords_are_stored_hashed(app):
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert len(users) >= 15
        for user in users:
            assert "linkpass" not in user.password_hash
            method, salt, digest = user.password_hash.split("$")
            assert method.split(":")[0] in ("pbkdf2", "scrypt"), user.username
            assert len(salt) >= 8 and len(digest) >= 32
            assert check_password_hash(user.password_hash, "linkpass")
        db.session.remove()


def _set_active(app, username: str, active: bool) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.active = active
        db.session.commit()
        db.session.remove()


def test_inactive_user_cannot_get_a_token_and_loses_the_one_it_had(app, client):
    token = token_for(client).json["token"]
    _set_active(app, "sh.advisor", False)
    assert_401(token_for(client))
    assert_401(client.get("/api/v1/tasks", headers=bearer(token)))
    _set_active(app, "sh.advisor", True)
    assert token_for(client).status_code == 200
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200


def test_users_of_a_suspended_center_cannot_get_a_token(app, client):
    token = token_for(client).json["token"]
    with app.app_context():
        center = db.session.scalar(select(Center).where(Center.code == "sh"))
        center.status = "suspended"
        db.session.commit()
        db.session.remove()
    assert_401(token_for(client))
    assert_401(client.get("/api/v1/tasks", headers=bearer(token)))
    assert token_for(client, "sz.advisor").status_code == 200
