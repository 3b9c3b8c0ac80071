"""Route tests of the workspace server (FastAPI's TestClient, real jobs in real processes).

One workspace seeded with tests/data/tiny.yaml (2 bases, 7 people; a solve is a couple of
seconds) serves the whole module; the tests that need a fresh one make their own.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from xinglian.models import load_plan  # noqa: E402
from xinglian.tabular import load_any, write_instance_workbook  # noqa: E402
from xinglian.web.app import create_app  # noqa: E402
from xinglian.web.uploads import MAX_UPLOAD_BYTES, split_problem  # noqa: E402
from xinglian.web.workspace import Workspace  # noqa: E402

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"
PASSWORD = "correct horse battery"
LIMIT = 3.0  # a re-plan of tiny under a loaded CI machine needs more than 2 s


def login(client: TestClient) -> str:
    r = client.post("/login", data={"password": PASSWORD, "next": "/plan"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    html = client.get("/changes").text
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def wait_job(client: TestClient, job_id: int, timeout: float = 60) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["status"] not in ("queued", "running", "cancelling"):
            return j
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {j['status']} after {timeout} s")


def last_job(ws: Workspace) -> int:
    return ws.jobs(1)[0].id


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    app = create_app(root, seed_instance=TINY, time_limit=LIMIT, admin_password=PASSWORD)
    with TestClient(app) as client:
        csrf = login(client)
        j = wait_job(client, 1)
        assert j["status"] == "done" and j["published_version"] == 1, j
        yield client, app.state.ws, csrf


# -- who may see what -------------------------------------------------------------------


GET_PATHS = ["/", "/plan", "/plan?v=1", "/plan/person/p-a1", "/plan/person/p-a1.ics", "/data",
             "/data/template.xlsx", "/data/current.xlsx", "/jobs", "/noplan", "/changes",
             "/changes/preview/1", "/changes/preview/1/updates/p-a1.ics", "/versions",
             "/versions?a=1&b=1", "/versions/1/plan.xlsx", "/versions/1/summary.html",
             "/versions/1/summary.md", "/versions/1/calendars.zip", "/api/jobs", "/api/jobs/1",
             "/feeds/admin", "/feeds/admin/cards", "/cover?duty=rotation-fed-ximei-p6"]
POST_PATHS = ["/logout", "/data/upload", "/jobs/plan", "/jobs/1/cancel", "/jobs/1/publish",
              "/jobs/1/discard", "/noplan/1/repair/1", "/changes/add", "/changes/remove/0",
              "/changes/preview", "/changes/reopen/1", "/versions/1/restore", "/cover/choose",
              "/feeds/admin/person/p-a1/revoke"]
#: Open to anyone who holds the secret: a phone's subscription (feeds/routes.py).
PUBLIC_PATHS = ["/feeds/{token}.ics"]


def test_every_route_is_in_the_lists_above(served):
    """So that the refusal tests below cover every endpoint, including new ones."""
    client, _, _ = served
    listed = [re.sub(r"\?.*", "", p) for p in GET_PATHS + POST_PATHS]
    missing = []
    for r in client.app.routes:
        if not hasattr(r, "methods") or r.path in ("/login", "/setup", *PUBLIC_PATHS):
            continue
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(r.path))
        if not any(re.fullmatch(pattern, p) for p in listed):
            missing.append(r.path)
    assert not missing, missing


def test_no_page_but_the_login_is_reachable_without_a_session(served):
    client, _, _ = served
    anon = TestClient(client.app)
    for path in GET_PATHS:
        r = anon.get(path, follow_redirects=False)
        if path.startswith("/api/"):
            assert r.status_code == 401, path
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    for path in POST_PATHS:
        r = anon.post(path, data={"csrf": "x"}, follow_redirects=False)
        assert r.status_code == 401, (path, r.status_code)
    assert anon.get("/login").status_code == 200
    assert anon.get("/static/app.css").status_code == 200
    # a wrong password gives no session
    r = anon.post("/login", data={"password": "wrong password"}, follow_redirects=False)
    assert r.status_code == 401 and "xl_session" not in r.cookies


def test_session_cookie_is_httponly_and_samesite(served):
    client, _, _ = served
    fresh = TestClient(client.app)
    r = fresh.post("/login", data={"password": PASSWORD}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    # the database keeps only a hash of the session token
    token = r.cookies["xl_session"]
    ws = client.app.state.ws
    assert not ws.query("SELECT 1 FROM sessions WHERE token_hash = ?", (token,))
    stored = ws.query("SELECT pw_hash FROM users")[0]["pw_hash"]
    assert stored.startswith("scrypt$") and PASSWORD not in stored


def test_a_post_without_its_csrf_token_is_refused(served):
    client, ws, csrf = served
    jobs_before = len(ws.jobs(100))
    for data in ({}, {"csrf": "not-the-token"}):
        r = client.post("/jobs/plan", data=data, follow_redirects=False)
        assert r.status_code == 403 and "CSRF" in r.text
    for path in POST_PATHS:  # every form endpoint, logged in but without the token
        r = client.post(path, data={"kind": "leaves", "person": "p-a1", "date": "2026-09-01"},
                        files={"file": ("tiny.yaml", b"id: x", "text/yaml")}
                        if path == "/data/upload" else None, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
    assert len(ws.jobs(100)) == jobs_before  # nothing was queued
    assert ws.draft_changes("admin")[1] == []  # nothing was added
    # and logout without the token keeps the session
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/plan").status_code == 200


def test_an_upload_over_the_limit_is_refused(served):
    client, ws, csrf = served
    revs = len(ws.data_revisions())
    big = b"x" * (MAX_UPLOAD_BYTES + 1024)
    r = client.post("/data/upload", data={"csrf": csrf},
                    files={"file": ("big.xlsx", big, "application/octet-stream")})
    assert r.status_code == 413 and "too large" in r.text
    assert len(ws.data_revisions()) == revs


def test_a_zip_that_expands_too_far_is_refused(served, tmp_path):
    client, ws, csrf = served
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("人员.csv", b"0" * (60 * 1024 * 1024))  # 60 MB of zeros, ~60 KB packed
    r = client.post("/data/upload", data={"csrf": csrf},
                    files={"file": ("bomb.zip", buf.getvalue(), "application/zip")})
    assert r.status_code == 400 and "expands" in r.text
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../escape.csv", "编号,姓名\n")
    r = client.post("/data/upload", data={"csrf": csrf},
                    files={"file": ("evil.zip", evil.getvalue(), "application/zip")})
    assert r.status_code in (400, 422)
    assert not (ws.root.parent / "escape.csv").exists()
    assert not list(ws.root.rglob("escape.csv"))


def test_a_form_posted_without_its_fields_gets_a_page_not_a_traceback(served):
    client, ws, csrf = served
    revs = len(ws.data_revisions())
    r = client.post("/data/upload", data={"csrf": csrf})
    assert r.status_code == 422 and "file" in r.text and "Traceback" not in r.text
    assert len(ws.data_revisions()) == revs
    r = client.post("/jobs/plan", data={"csrf": csrf, "time_limit": "many"})
    assert r.status_code == 422 and "time_limit" in r.text


def test_a_file_of_another_kind_is_refused_with_what_to_upload(served):
    client, _, csrf = served
    r = client.post("/data/upload", data={"csrf": csrf},
                    files={"file": ("notes.docx", b"PK..", "application/octet-stream")})
    assert r.status_code == 400 and ".xlsx" in r.text


# -- data ---------------------------------------------------------------------------------


def broken_workbook(tmp_path: Path) -> Path:
    path = write_instance_workbook(load_any(TINY), tmp_path / "broken.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["场地"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=3, column=headers.index("容纳人数") + 1, value="四十")
    ws = wb["主席团"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("人员编号") + 1, value="p-999")
    wb.save(path)
    return path


def test_a_broken_workbook_shows_its_cell_level_errors_and_saves_nothing(served, tmp_path):
    client, ws, csrf = served
    revs = len(ws.data_revisions())
    path = broken_workbook(tmp_path)
    r = client.post("/data/upload", data={"csrf": csrf},
                    files={"file": ("broken.xlsx", path.read_bytes(), "application/vnd.ms-excel")})
    assert r.status_code == 422
    table = re.search(r'<table class="problems">(.*?)</table>', r.text, re.S).group(1)
    rows = [tuple(re.findall(r"<td>(.*?)</td>", tr)) for tr in table.split("<tr>")[2:]]
    assert len(rows) == 2, rows
    assert any(row[:3] == ("场地", "3", "容纳人数") and "四十" in row[3] and "不是整数" in row[4]
               for row in rows), rows
    assert any(row[:3] == ("主席团", "2", "人员编号") and "p-999" in row[3] for row in rows), rows
    assert "Traceback" not in r.text
    assert len(ws.data_revisions()) == revs


def _broken_books() -> list[str]:
    """The workbooks of the malformed-input corpus (tests/data/malformed/cases.yaml), built
    by its make_corpus.py: every one must upload as a table of problems, never a 500."""
    import yaml

    cases = yaml.safe_load((DATA / "malformed" / "cases.yaml").read_text(encoding="utf-8"))
    return sorted(name for name in cases if name.endswith((".xlsx", ".ods", ".xls")))


@pytest.fixture(scope="module")
def broken_corpus(tmp_path_factory) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_corpus", DATA / "malformed" / "make_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build(tmp_path_factory.mktemp("broken"), text=False)


@pytest.mark.parametrize("name", _broken_books())
def test_every_broken_workbook_shows_its_problems_and_never_a_500(served, broken_corpus, name):
    from xinglian.models import InputError

    client, _, csrf = served
    book = broken_corpus / name
    assert book.is_file(), f"make_corpus.py did not build {name}"
    try:
        load_any(book)
        expected = 0
    except InputError as e:
        expected = len(e.problems)
    r = client.post("/data/upload", data={"csrf": csrf},
                    files={"file": (book.name, book.read_bytes(), "application/octet-stream")},
                    follow_redirects=False)
    assert r.status_code in (303, 413, 422), r.text[-2000:]
    assert "Traceback" not in r.text
    if r.status_code == 422 and expected:
        table = re.search(r'<table class="problems">(.*?)</table>', r.text, re.S).group(1)
        assert table.count("<tr>") == expected + 1  # the header and one row per problem
    assert expected or r.status_code == 303


def test_problem_sentences_split_into_sheet_row_column_value_and_fix():
    p = split_problem("场地 第5行 「容纳人数」: '四十' 不是整数 / not an integer")
    assert (p.sheet, p.row, p.column, p.value) == ("场地", "5", "容纳人数", "'四十'")
    assert p.message == "不是整数 / not an integer"
    p = split_problem("规则与权重 第9行 「值」（轮值周期月数）: 5 须能整除 12")
    assert (p.sheet, p.row, p.column, p.value) == ("规则与权重", "9", "值（轮值周期月数）", "5")
    p = split_problem("不可用时间 第2行: 结束日期早于开始日期")
    assert (p.sheet, p.row, p.column, p.message) == ("不可用时间", "2", "", "结束日期早于开始日期")
    p = split_problem("people[7].unavailable[0]: end is before start; swap them (got '2027')")
    assert (p.column, p.value) == ("people[7].unavailable[0]", "'2027'")


def test_a_zip_of_gbk_csv_files_and_a_yaml_file_are_read_like_import(served, tmp_path):
    client, ws, csrf = served
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted((DATA / "tabular" / "tiny").iterdir()):
            zf.write(f, f"tiny/{f.name}")
    revs = len(ws.data_revisions())
    r = client.post("/data/upload", data={"csrf": csrf},
                    files={"file": ("tiny-csv.zip", buf.getvalue(), "application/zip")},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[-2000:]
    assert len(ws.data_revisions()) == revs + 1
    assert load_any(ws.current_instance_path()) == load_any(DATA / "tabular" / "tiny.yaml")
    r = client.post("/data/upload", data={"csrf": csrf},
                    files={"file": ("tiny.yaml", TINY.read_bytes(), "text/yaml")},
                    follow_redirects=False)
    assert r.status_code == 303
    assert load_any(ws.current_instance_path()) == load_any(TINY)


def test_downloads_are_the_files_they_say(served, tmp_path):
    client, ws, _ = served
    for path in ("/data/template.xlsx", "/data/current.xlsx", "/versions/1/plan.xlsx"):
        r = client.get(path)
        assert r.status_code == 200, path
        f = tmp_path / "x.xlsx"
        f.write_bytes(r.content)
        assert openpyxl.load_workbook(f).sheetnames, path
    f = tmp_path / "current.xlsx"
    f.write_bytes(client.get("/data/current.xlsx").content)
    assert load_any(f) == load_any(ws.current_instance_path())
    r = client.get("/versions/1/calendars.zip")
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert "calendars/all.ics" in names and "calendars/person-p-a1.ics" in names
    r = client.get("/versions/1/summary.html")
    assert r.status_code == 200 and "轮值主席" in r.text
    assert client.get("/versions/9/summary.html").status_code == 404
    assert client.get("/versions/1/nothing").status_code == 404


# -- the plan -------------------------------------------------------------------------------


def test_the_plan_page_shows_the_rotation_with_links_to_each_person(served):
    client, ws, _ = served
    plan = load_plan(ws.published_dir())
    html = client.get("/plan").text
    table = re.search(r'<table class="rotation" id="rotation">(.*?)</table>', html, re.S).group(1)
    for term in plan.rotation:
        assert f'href="/plan/person/{term.chair}"' in table
    assert "霞美片区产业基地妇联" in table and "第3期" in table
    assert 'id="people"' in html and "联席会" in html  # the summary's sections follow
    en = client.get("/plan?lang=en").text
    assert "Rotating chairs" in en and "The plan" in en
    assert "Rotating chairs" in client.get("/plan").text  # the switch is remembered
    client.get("/plan?lang=zh")


def test_the_person_page_lists_her_duties_and_her_calendar(served):
    client, ws, _ = served
    plan = load_plan(ws.published_dir())
    chair = plan.rotation[0].chair
    terms = [t for t in plan.rotation if t.chair == chair]
    html = client.get(f"/plan/person/{chair}").text
    assert html.count('class="rotation"') == len(terms)
    assert f"/plan/person/{chair}.ics" in html
    ics = client.get(f"/plan/person/{chair}.ics")
    assert ics.status_code == 200 and ics.text.startswith("BEGIN:VCALENDAR")
    assert client.get("/plan/person/nobody").status_code == 404
    assert client.get("/plan?v=99").status_code == 404


# -- jobs -----------------------------------------------------------------------------------


def test_a_queued_job_can_be_cancelled_and_one_job_runs_at_a_time(served):
    client, ws, csrf = served
    client.post("/jobs/plan", data={"csrf": csrf, "time_limit": "30"})
    first = last_job(ws)
    client.post("/jobs/plan", data={"csrf": csrf, "time_limit": "30"})
    second = last_job(ws)
    assert ws.job(second).status == "queued"
    client.post(f"/jobs/{second}/cancel", data={"csrf": csrf})
    assert ws.job(second).status == "cancelled"
    end = time.monotonic() + 20
    while ws.job(first).status == "queued" and time.monotonic() < end:
        time.sleep(0.1)
    assert ws.job(first).status == "running"
    assert [j.id for j in ws.active_jobs()] == [first]
    # a second browser sees the same job on the plan page
    other = TestClient(client.app)
    login(other)
    assert f'data-job="{first}"' in other.get("/jobs").text
    client.post(f"/jobs/{first}/cancel", data={"csrf": csrf})
    assert wait_job(client, first)["status"] == "cancelled"
    assert ws.published_version() == 1


def test_killing_the_job_process_leaves_the_workspace_consistent(served):
    client, ws, csrf = served
    published = ws.published_version()
    before = sorted(p.name for p in (ws.root / "versions").iterdir())
    plan_json = (ws.published_dir() / "plan.json").read_bytes()
    # A job that searches for many seconds (the full default instance); tiny proves
    # optimal in moments now that solves stop by work, and would end before the kill.
    from xinglian.cli import default_instance
    from xinglian.models import load_instance

    rev = ws.add_data(load_instance(default_instance()), "test", "default")
    job = ws.enqueue("plan", {"data_revision": rev, "time_limit": 60}, "test")
    end = time.monotonic() + 60
    while (ws.job(job).progress.get("phase") != "solving") and time.monotonic() < end:
        time.sleep(0.1)
    pid = ws.job(job).pid
    assert pid
    os.kill(pid, signal.SIGKILL)
    j = wait_job(client, job)
    assert j["status"] == "interrupted" and "unchanged" in j["error"]
    assert ws.published_version() == published
    assert sorted(p.name for p in (ws.root / "versions").iterdir()) == before
    assert (ws.published_dir() / "plan.json").read_bytes() == plan_json
    assert not [p for p in ws.job_dir(job).iterdir() if p.name.startswith(".")]
    jobs_page = client.get("/jobs").text
    assert re.search(rf'id="job-{job}">.*?已中断.*?published version is unchanged', jobs_page, re.S)
    ws.add_data(load_instance(TINY), "test", "tiny again")  # the module's data, as before


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie waiting for init counts as gone


def test_a_server_killed_during_a_job_comes_back_with_the_job_interrupted(tmp_path):
    """uvicorn killed with SIGKILL while a job runs: the job process stops by itself, and
    the next start marks the job interrupted with the published version untouched."""
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ("import sys, uvicorn\nfrom xinglian.web.app import create_app\n"
              "app = create_app(sys.argv[1], seed_instance=sys.argv[3], time_limit=1, "
              "admin_password='x' * 8)\n"
              "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')")
    proc = subprocess.Popen([sys.executable, "-c", server, str(tmp_path), str(port), str(TINY)])
    ws = Workspace(tmp_path)
    try:
        end = time.monotonic() + 60
        while ws.published_version() != 1:
            assert time.monotonic() < end and proc.poll() is None, ws.jobs(1)
            time.sleep(0.2)
        plan_json = (ws.published_dir() / "plan.json").read_bytes()
        # A job that searches for many seconds (the full default instance: its
        # volunteering part does not prove optimal), so that it is still solving when
        # the server dies; tiny proves optimal in moments, whatever the limit.
        from xinglian.cli import default_instance
        from xinglian.models import load_instance

        rev = ws.add_data(load_instance(default_instance()), "test", "default")
        job = ws.enqueue("plan", {"data_revision": rev, "time_limit": 60}, "test")
        while ws.job(job).progress.get("phase") != "solving":
            assert time.monotonic() < end, ws.job(job)
            time.sleep(0.1)
        child = ws.job(job).pid
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    end = time.monotonic() + 15
    while not _gone(child):  # its server is gone: the job process stops by itself
        assert time.monotonic() < end, "the job process outlived its server"
        time.sleep(0.2)
    assert ws.job(job).status == "running"  # nobody has looked yet
    # what a writer killed mid-way leaves: a temporary plan directory, and a version
    # directory moved in without its row
    (ws.job_dir(job) / ".plan.tmp-x").mkdir(parents=True)
    (ws.root / "versions" / "v2").mkdir()
    app = create_app(tmp_path, seed_instance=TINY, admin_password=PASSWORD)
    with TestClient(app):  # the next start (the lock of the killed server is free)
        j = ws.job(job)
        assert j.status == "interrupted" and "unchanged" in j.error
    assert ws.published_version() == 1
    assert (ws.published_dir() / "plan.json").read_bytes() == plan_json
    assert sorted(p.name for p in (ws.root / "versions").iterdir()) == ["v1"]
    assert not [p for p in ws.job_dir(job).iterdir() if p.name.startswith(".")]


# -- changes, previews, versions ----------------------------------------------------------


def _preview(client, ws, csrf, changes: list[dict], today="2026-01-01") -> int:
    for c in changes:
        r = client.post("/changes/add", data={"csrf": csrf, **c}, follow_redirects=False)
        assert r.status_code == 303, r.text[-3000:]
    r = client.post("/changes/preview", data={"csrf": csrf, "today": today},
                    follow_redirects=False)
    assert r.status_code == 303
    job = int(r.headers["location"].rsplit("/", 1)[1])
    assert wait_job(client, job)["status"] == "done", ws.job(job).error
    return job


def test_a_chair_away_in_period_3_previews_publishes_diffs_and_restores(served):
    client, ws, csrf = served
    base = ws.published_version()
    plan = load_plan(ws.published_dir())
    term = next(t for t in plan.rotation if t.period == 3)
    job = _preview(client, ws, csrf, [{"kind": "unavailable", "person": term.chair,
                                       "start": "2026-05-01", "end": "2026-06-30",
                                       "reason": "产假"}])
    html = client.get(f"/changes/preview/{job}").text
    assert 'id="proven"' in html
    assert "产假" in html and 'id="notices"' in html
    result = ws.job(job).result
    assert result["proven_minimal"] and result["decisions"] >= 1
    # the published plan is untouched until publishing
    assert ws.published_version() == base
    r = client.post(f"/jobs/{job}/publish", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    n = ws.published_version()
    assert n == base + 1
    new = load_plan(ws.published_dir())
    assert new.version == n
    assert next(t for t in new.rotation if t.base == term.base and t.period == 3).chair \
        != term.chair
    versions = client.get("/versions").text
    assert f'id="v{n}"' in versions and "产假" in versions
    diff = client.get(f"/versions?a={base}&b={n}").text
    assert 'id="diff"' in diff and "第3期" in diff
    # restore the old version as a new one
    client.post(f"/versions/{base}/restore", data={"csrf": csrf})
    assert wait_job(client, last_job(ws))["status"] == "done"
    assert ws.published_version() == n + 1
    restored = load_plan(ws.published_dir())
    old = load_plan(ws.version_dir(base))
    assert restored.version == n + 1
    assert [(t.base, t.period, t.chair) for t in restored.rotation] == \
        [(t.base, t.period, t.chair) for t in old.rotation]
    # history was not rewritten
    assert load_plan(ws.version_dir(n)) == new


def test_publishing_a_preview_made_from_an_outdated_version_is_refused(served):
    client, ws, csrf = served
    base = ws.published_version()
    first = _preview(client, ws, csrf, [{"kind": "venue_closed", "venue": "v-lc-hall",
                                         "start": "2026-07-01", "end": "2026-07-31"}])
    second = _preview(client, ws, csrf, [{"kind": "venue_closed", "venue": "v-ximei-hall",
                                          "start": "2026-08-01", "end": "2026-08-31"}])
    assert client.post(f"/jobs/{first}/publish", data={"csrf": csrf},
                       follow_redirects=False).status_code == 303
    r = client.post(f"/jobs/{second}/publish", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 409
    assert f"第{base}版" in r.text and "preview again" in r.text
    assert ws.published_version() == base + 1
    assert ws.job(second).candidate  # nothing lost: still there to look at
    assert "preview again" in client.get(f"/changes/preview/{second}?lang=en").text
    client.get("/plan?lang=zh")
    client.post(f"/jobs/{second}/discard", data={"csrf": csrf})
    assert not ws.job(second).candidate
    # its changes are back in the list, to preview again from the published version
    assert ws.draft_changes("admin")[1] == ws.job(second).params["changes"]
    client.post("/changes/remove/0", data={"csrf": csrf})
    assert not (ws.root / ws.job(second).result["plan_dir"]).exists()


def test_a_change_with_an_unknown_id_or_bad_dates_is_not_added(served):
    client, ws, csrf = served
    _, before = ws.draft_changes("admin")
    r = client.post("/changes/add", data={"csrf": csrf, "kind": "unavailable",
                                          "person": "p-nobody", "start": "2026-05-01",
                                          "end": "2026-05-02"})
    assert r.status_code == 422 and "p-nobody" in r.text
    r = client.post("/changes/add", data={"csrf": csrf, "kind": "unavailable",
                                          "person": "p-a1", "start": "2026-05-09",
                                          "end": "2026-05-01"})
    assert r.status_code == 422 and "swap" in r.text
    r = client.post("/changes/add", data={"csrf": csrf, "kind": "pin_chair",
                                          "base": "fed-ximei", "period": "9", "chair": "p-a1"})
    assert r.status_code == 422
    assert ws.draft_changes("admin")[1] == before
    # a valid one is added and can be removed again
    client.post("/changes/add", data={"csrf": csrf, "kind": "leaves", "person": "p-e1",
                                      "date": "2026-09-01"})
    assert ws.draft_changes("admin")[1][-1] == {"kind": "leaves", "person": "p-e1",
                                                "date": "2026-09-01"}
    assert "张晓燕 自 2026-09-01 起离开" in client.get("/changes").text
    client.post(f"/changes/remove/{len(before)}", data={"csrf": csrf})
    assert ws.draft_changes("admin")[1] == before


# -- no plan ---------------------------------------------------------------------------------


def test_an_infeasible_upload_is_explained_and_a_repair_is_one_click(served):
    client, ws, csrf = served
    path = DATA / "infeasible" / "pin-during-leave.yaml"
    r = client.post("/data/upload", data={"csrf": csrf, "plan_now": "1"},
                    files={"file": (path.name, path.read_bytes(), "text/yaml")},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs"
    job = last_job(ws)
    assert wait_job(client, job)["status"] == "infeasible"
    html = client.get("/noplan").text
    assert "林秀英" in html and "产假" in html
    repairs = re.findall(rf'action="/noplan/{job}/repair/(\d+)"', html)
    assert repairs
    published = ws.published_version()
    r = client.post(f"/noplan/{job}/repair/{repairs[0]}", data={"csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    fixed = last_job(ws)
    assert fixed != job
    assert wait_job(client, fixed)["status"] == "done"
    # a plan for other data is a candidate: published only when the clerk says so
    assert ws.published_version() == published and ws.job(fixed).candidate
    ws.discard(fixed)
    # back to the tiny data for the tests that follow
    client.post("/data/upload", data={"csrf": csrf},
                files={"file": ("tiny.yaml", TINY.read_bytes(), "text/yaml")})


def test_first_start_without_a_password_asks_for_the_setup_code(tmp_path):
    app = create_app(tmp_path, seed_instance=False, run_jobs=False)
    code = app.state.setup_code
    with TestClient(app) as client:
        assert client.get("/login", follow_redirects=False).headers["location"] == "/setup"
        r = client.post("/setup", data={"code": "wrong", "password": "abcdefgh1",
                                        "confirm": "abcdefgh1"})
        assert r.status_code == 403
        r = client.post("/setup", data={"code": code, "password": "short", "confirm": "short"})
        assert r.status_code == 400
        r = client.post("/setup", data={"code": code, "password": "abcdefgh1",
                                        "confirm": "abcdefgh1"}, follow_redirects=False)
        assert r.status_code == 303
        # once set, the setup page is gone and the password works
        assert client.get("/setup", follow_redirects=False).status_code == 303
        r = client.post("/setup", data={"code": code, "password": "hijacked1",
                                        "confirm": "hijacked1"}, follow_redirects=False)
        r = client.post("/login", data={"password": "hijacked1"}, follow_redirects=False)
        assert r.status_code == 401
        r = client.post("/login", data={"password": "abcdefgh1"}, follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/plan").status_code == 200
        assert "还没有已发布的方案" in client.get("/plan").text


def test_the_workspace_api_for_other_modules(served):
    _, ws, _ = served
    again = Workspace(ws.root)
    assert again.db_path == ws.root / "workspace.db"
    assert again.published_dir() == ws.root / "versions" / f"v{ws.published_version()}"
    assert (again.published_dir() / "plan.json").is_file()
    assert again.current_instance_path().is_file()
    assert again.query("PRAGMA journal_mode")[0][0] == "wal"
    json.loads((again.published_dir() / "plan.json").read_text(encoding="utf-8"))
    shutil.disk_usage(ws.root)  # the workspace is a plain directory


def test_serve_command_listens_and_warns_when_not_on_127_0_0_1(tmp_path):
    """`xinglian serve` on another address prints who can reach it, then serves."""
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "xinglian", "serve", str(tmp_path / "w"),
                             "--host", "127.0.0.2", "--port", str(port), "--time-limit", "1"],
                            stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + 30
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.2:{port}/login", timeout=1)
                break
            except OSError:
                assert time.monotonic() < end and proc.poll() is None
                time.sleep(0.2)
        assert page.geturl().endswith("/setup")  # first start: set the password
        second = subprocess.run([sys.executable, "-m", "xinglian", "serve", str(tmp_path / "w"),
                                 "--port", str(port + 1)], capture_output=True, text=True,
                                timeout=60)
        assert second.returncode == 1 and "already served" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "WARNING" in err and "127.0.0.2" in err and "can open the login page" in err
    assert re.search(r"setup code [0-9a-f]{8}", err)
    assert (tmp_path / "w" / "workspace.db").is_file()


def test_a_second_server_on_the_same_workspace_is_refused(served):
    """One server per workspace, so that one job at a time holds across servers."""
    from xinglian.web.workspace import WorkspaceError

    client, ws, csrf = served
    client.post("/jobs/plan", data={"csrf": csrf, "time_limit": "30"})
    job = last_job(ws)
    end = time.monotonic() + 20
    while ws.job(job).status == "queued" and time.monotonic() < end:
        time.sleep(0.1)
    second = create_app(ws.root, seed_instance=False, admin_password=PASSWORD)
    with pytest.raises(WorkspaceError, match="already served"), TestClient(second):
        pass
    assert ws.job(job).status == "running"  # the second server did not touch it
    client.post(f"/jobs/{job}/cancel", data={"csrf": csrf})
    assert wait_job(client, job)["status"] == "cancelled"


def test_every_page_renders_in_both_languages(served):
    client, ws, _ = served
    pages = ["/plan", "/plan/person/p-a1", "/data", "/jobs", "/noplan", "/changes",
             "/versions", f"/versions?a=1&b={ws.published_version()}",
             *(f"/changes/preview/{j.id}" for j in ws.jobs(100))]
    try:
        for lang, nav in (("en", "Versions"), ("zh", "版本")):
            client.get(f"/plan?lang={lang}")
            for path in pages:
                r = client.get(path)
                assert r.status_code == 200, (lang, path, r.status_code)
                assert f">{nav}</a>" in r.text, (lang, path)
    finally:
        client.get("/plan?lang=zh")


def test_children_appear_by_code_only_on_every_page(served, tmp_path):
    """tests/test_privacy.py's instance (tiny plus two children whose name, address and
    needs cannot occur by chance), planned for real and published: no page, preview,
    diff or download of the plan shows more of a child than her code."""
    import importlib.util

    import yaml

    client, ws, csrf = served
    spec = importlib.util.spec_from_file_location("privacy", Path(__file__).parent
                                                  / "test_privacy.py")
    privacy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(privacy)
    data = privacy.instance_data()
    data["care"]["max_travel_minutes"] = 240  # c-008's town has no mother within 30 min
    path = tmp_path / "privacy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    client.post("/data/upload", data={"csrf": csrf, "plan_now": "1"},
                files={"file": (path.name, path.read_bytes(), "text/yaml")})
    job = last_job(ws)
    assert wait_job(client, job, timeout=120)["status"] == "done", ws.job(job).error
    preview = client.get(f"/changes/preview/{job}").text
    assert client.post(f"/jobs/{job}/publish", data={"csrf": csrf},
                       follow_redirects=False).status_code == 303
    n = ws.published_version()
    plan = load_plan(ws.published_dir())
    assert {p.child for p in plan.care.pairs} == {"c-007", "c-008"}
    pages = {"preview": preview, "plan": client.get("/plan").text,
             "versions": client.get("/versions").text,
             "diff": client.get(f"/versions?a={n - 1}&b={n}").text}
    for p in data["people"]:
        pages[p["id"]] = client.get(f"/plan/person/{p['id']}").text
    for what in ("summary.html", "summary.md"):
        pages[what] = client.get(f"/versions/{n}/{what}").text
    calendars = zipfile.ZipFile(io.BytesIO(client.get(f"/versions/{n}/calendars.zip").content))
    for name in calendars.namelist():
        pages[name] = calendars.read(name).decode("utf-8")
    for name, text in pages.items():
        for secret in privacy.SECRETS:
            assert secret not in text, (secret, name)
    mother = plan.care.pairs[0].mother
    assert "c-007" in pages["plan"] and "c-008" in pages["plan"]
    assert any(v.child in pages[mother] for v in plan.care.visits if v.mother == mother)
    assert "c-00" in pages["diff"]  # the new pairs are in the diff, by code


def test_guessing_the_password_is_slowed_and_next_stays_on_the_site(tmp_path):
    app = create_app(tmp_path, seed_instance=False, admin_password=PASSWORD, run_jobs=False)
    with TestClient(app) as client:
        for evil in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
            r = client.post("/login", data={"password": PASSWORD, "next": evil},
                            follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/plan", evil
        for _ in range(10):
            assert client.post("/login", data={"password": "guess"}).status_code == 401
        r = client.post("/login", data={"password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 429 and "wait a minute" in r.text


def test_the_workspace_serves_secret_feeds_and_guards_their_admin_pages(served):
    client, ws, csrf = served
    page = client.get("/feeds/admin")
    assert page.status_code == 200 and "p-a1" in page.text
    url = re.search(r"/feeds/([A-Za-z0-9_-]{20,})\.ics", page.text)
    assert url, "the admin page lists each person's feed URL"
    anon = TestClient(client.app)
    feed = anon.get(url.group(0))  # a phone: no session, only the secret
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text
    # the same 404 for a wrong token as for a path that never existed
    assert anon.get("/feeds/" + "x" * 32 + ".ics").status_code == 404
    # revoking needs the session's CSRF token
    subject = re.search(r'action="[^"]*/feeds/admin/(person/[^/"]+)/revoke"', page.text).group(1)
    assert client.post(f"/feeds/admin/{subject}/revoke", data={},
                       follow_redirects=False).status_code == 403
    assert "csrf" in page.text and csrf in page.text  # the forms carry it
    assert client.post(f"/feeds/admin/{subject}/revoke", data={"csrf": csrf},
                       follow_redirects=False).status_code == 303
