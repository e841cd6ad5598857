"""Organisation administration through the API: who may add, change and grant what."""

import pytest

ADVISOR = {"username": "sh.advisor3", "display_name": "上海服务顾问三",
           "email": "sh.advisor3@linkpass.example", "center": "sh", "roles": ["advisor"]}


def events(api, action):
    response = api.get("/api/v1/org/events?per_page=200")
    assert response.status_code == 200, response.json
    return [e for e in response.json["items"] if e["action"] == action]


def test_city_president_adds_an_advisor_to_their_center(as_user, client):
    president = as_user("sh.president")
    response = president.post("/api/v1/org/users", json=ADVISOR)
    assert response.status_code == 201, response.json
    assert response.json["center"] == "sh" and response.json["roles"] == ["advisor"]
    assert response.json["invited"] is True  # no password given: invited by e-mail
    listed = president.get("/api/v1/org/users?center=sh&q=advisor3").json
    assert [u["username"] for u in listed["items"]] == ["sh.advisor3"]
    created = events(president, "user_created")
    assert created[0]["actor"] == "sh.president"
    assert created[0]["details"]["username"] == "sh.advisor3"


def test_city_president_cannot_add_to_another_center_nor_grant_admin(as_user, admin):
    president = as_user("sh.president")
    other_center = president.post("/api/v1/org/users", json={**ADVISOR, "center": "sz"})
    assert other_center.status_code == 403, other_center.json
    admin_role = president.post("/api/v1/org/users", json={**ADVISOR, "roles": ["admin"]})
    assert admin_role.status_code == 403
    assert "admin" in admin_role.json["message"]
    presidency = president.post("/api/v1/org/users",
                                json={**ADVISOR, "roles": ["city_president"]})
    assert presidency.status_code == 403
    # Nor raise an existing colleague above their reach.
    raise_ = president.client.patch("/api/v1/org/users/sh.advisor", headers=president.headers,
                                    json={"roles": ["advisor", "admin"]})
    assert raise_.status_code == 403
    # Nothing was written.
    found = admin.get("/api/v1/org/users?q=sh.advisor3").json
    assert found["total"] == 0
    assert admin.get("/api/v1/org/users/sh.advisor").json["roles"] == ["advisor"]
    assert events(admin, "user_created") == []


def test_city_president_sees_only_their_center(as_user):
    president = as_user("sh.president")
    centers = president.get("/api/v1/org/centers").json
    assert [c["code"] for c in centers] == ["sh"]
    assert centers[0]["presidents"] == ["sh.president"]
    assert president.get("/api/v1/org/users/sz.advisor").status_code == 404
    assert president.get("/api/v1/org/centers/sz").status_code == 404
    users = president.get("/api/v1/org/users?per_page=200").json["items"]
    assert {u["center"] for u in users} == {"sh"}


@pytest.mark.parametrize("username", ["sh.advisor", "sh.management", "nat.media", "owner"])
def test_staff_without_reach_may_not_administer(as_user, username):
    api = as_user(username)
    assert api.get("/api/v1/org/centers").status_code == 403
    assert api.post("/api/v1/org/users", json=ADVISOR).status_code == 403
    assert api.get("/api/v1/org/roles").status_code == 200  # the catalogue is public


def test_role_catalogue_marks_what_the_caller_may_grant(as_user, admin):
    grantable = {r["key"] for r in as_user("sh.president").get("/api/v1/org/roles").json
                 if r["grantable"]}
    assert grantable == {"advisor", "city_management"}
    national = {r["key"] for r in as_user("nat.management").get("/api/v1/org/roles").json
                if r["grantable"]}
    assert national == {"advisor", "city_management", "city_president"}
    assert all(r["grantable"] for r in admin.get("/api/v1/org/roles").json)


def test_national_management_creates_and_suspends_a_city_center(as_user, admin):
    management = as_user("nat.management")
    created = management.post("/api/v1/org/centers", json={
        "code": "gz", "name_zh": "广州服务中心", "name_en": "Guangzhou Service Center",
        "region": "广东"})
    assert created.status_code == 201, created.json
    assert created.json["status"] == "active" and created.json["kind"] == "city"
    president = management.post("/api/v1/org/users", json={
        "username": "gz.president", "display_name": "广州中心总裁", "center": "gz",
        "email": "gz.president@linkpass.example", "roles": ["city_president"],
        "password": "Guangzhou2026"})
    assert president.status_code == 201, president.json
    assert management.get("/api/v1/org/centers/gz").json["presidents"] == ["gz.president"]
    # National management may not change the national center, nor grant national roles.
    assert management.client.patch("/api/v1/org/centers/national", headers=management.headers,
                                   json={"region": "x"}).status_code == 403
    assert management.post("/api/v1/org/users", json={
        **ADVISOR, "username": "nat.x", "center": "national",
        "roles": ["national_finance"]}).status_code == 403
    suspended = management.post("/api/v1/org/centers/gz/status", json={"status": "suspended"})
    assert suspended.status_code == 200, suspended.json
    assert admin.get("/api/v1/org/centers/gz").json["status"] == "suspended"
    changed = events(admin, "center_status_changed")
    assert changed[0]["details"]["previous"] == "active"


@pytest.mark.parametrize("body, field", [
    ({"username": "x y"}, "username"),
    ({"email": "not-an-email"}, "email"),
    ({"center": "nowhere"}, "center"),
    ({"roles": ["emperor"]}, "roles"),
    ({"roles": ["national_media"]}, "roles"),  # a national role in a city center
    ({"username": "sh.advisor"}, "username"),  # taken
    ({"password": "short1"}, "password"),
    ({"password": "sh.advisor3-2026"}, "password"),  # contains the username
    ({"password": "onlyletterslong"}, "password"),
])
def test_bad_user_input_gets_a_clear_4xx_and_changes_nothing(admin, body, field):
    response = admin.post("/api/v1/org/users", json={**ADVISOR, **body})
    assert 400 <= response.status_code < 500, response.json
    assert field in response.json["details"] or field in str(response.json["details"])
    listed = admin.get("/api/v1/org/users?per_page=200").json
    assert listed["total"] == 15


def test_suspending_the_national_center_is_refused(admin):
    response = admin.post("/api/v1/org/centers/national/status", json={"status": "suspended"})
    assert response.status_code == 409
    assert admin.get("/api/v1/org/centers/national").json["status"] == "active"


def test_center_codes_are_unique_and_checked(admin):
    assert admin.post("/api/v1/org/centers", json={
        "code": "sh", "name_zh": "重复", "name_en": "Dup"}).status_code == 409
    assert admin.post("/api/v1/org/centers", json={
        "code": "Bad Code", "name_zh": "x", "name_en": "x"}).status_code == 422
