"""Bulk import of users from CSV: preview, errors by line, all rows or none."""

import io

HEADER = "username,display_name,email,phone,center,roles\n"


def csv_of(rows) -> bytes:
    return (HEADER + "".join(rows)).encode("utf-8")


def good_rows(n=200):
    return [f"imp.{i:03d},导入用户{i},imp{i}@linkpass.example,+86 21 5555 {i:04d},"
            f"{'sh' if i % 2 else 'sz'},advisor\n" for i in range(n)]


def upload(api, content: bytes, dry_run=False):
    url = "/api/v1/org/users/import" + ("?dry_run=true" if dry_run else "")
    return api.post(url, data={"file": (io.BytesIO(content), "users.csv")},
                    content_type="multipart/form-data")


def count(api, q="imp."):
    return api.get(f"/api/v1/org/users?q={q}&per_page=1").json["total"]


def test_two_hundred_users_with_three_bad_rows_import_nothing_then_all(admin, app):
    rows = good_rows()
    rows[9] = "imp.009,导入用户9,not-an-email,,sh,advisor\n"  # file line 11
    rows[99] = "imp.099,导入用户99,imp99@linkpass.example,,nowhere,advisor\n"  # line 101
    rows[149] = "imp.010,重复,dup@linkpass.example,,sh,advisor\n"  # line 151: username twice
    preview = upload(admin, csv_of(rows), dry_run=True)
    assert preview.status_code == 200, preview.json
    assert preview.json["total"] == 200 and preview.json["imported"] == 0
    assert [(e["line"], e["field"]) for e in preview.json["errors"]] == [
        (11, "email"), (101, "center"), (151, "username")]
    refused = upload(admin, csv_of(rows))
    assert refused.status_code == 422
    assert [e["line"] for e in refused.json["details"]["errors"]] == [11, 101, 151]
    assert count(admin) == 0
    fixed = good_rows()
    assert upload(admin, csv_of(fixed), dry_run=True).json["errors"] == []
    assert count(admin) == 0  # a preview writes nothing
    done = upload(admin, csv_of(fixed))
    assert done.status_code == 200, done.json
    assert done.json["imported"] == 200
    assert count(admin) == 200
    assert count(admin, "imp.199") == 1
    log = admin.get("/api/v1/org/events").json["items"]
    assert log[0]["action"] == "users_imported" and log[0]["details"]["count"] == 200


def test_a_city_president_imports_only_into_their_center(as_user):
    president = as_user("sh.president")
    rows = ["a.one,甲,a1@linkpass.example,,sh,advisor\n",
            "a.two,乙,a2@linkpass.example,,sz,advisor\n",
            "a.three,丙,a3@linkpass.example,,sh,admin\n"]
    response = upload(president, csv_of(rows))
    assert response.status_code == 422
    assert [(e["line"]) for e in response.json["details"]["errors"]] == [3, 4]
    assert count(president, "a.") == 0


def test_bad_files_are_refused_clearly(admin):
    wrong_header = upload(admin, b"user,name\nx,y\n")
    assert wrong_header.status_code == 422
    assert wrong_header.json["details"]["errors"][0]["line"] == 1
    assert upload(admin, HEADER.encode()).status_code == 422  # no rows
    short = upload(admin, csv_of(["only,two\n"]))
    assert short.json["details"]["errors"][0]["field"] == "row"
    binary = upload(admin, b"\xff\xfe\x00\x00\xff" * 10)
    assert binary.status_code == 422


def test_excel_files_in_utf8_with_bom_or_gb18030_are_read(admin):
    row = "gb.user,广州用户,gb@linkpass.example,,sh,advisor\n"
    assert upload(admin, "\ufeff".encode() + csv_of([row]), dry_run=True).json["errors"] == []
    assert upload(admin, (HEADER + row).encode("gb18030"), dry_run=True).json["errors"] == []
