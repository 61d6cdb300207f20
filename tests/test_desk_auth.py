"""The staff desk over real HTTP against the app process: logins, sessions, roles, CSRF, the queue,
answering and closing, the insight export, and the working-day norm that marks late cases."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db import AuditEvent, Case, StaffSession, StaffUser
from bot.desk.auth import set_session_cookie
from bot.desk.norms import answer_deadline, past_norm
from bot.stack import isolated_settings
from tests.desk_helpers import PASSWORD, Desk, hidden, post_login, queue_rows, start_desk

GENERIC_ERROR = "Onbekende gebruiker of verkeerd wachtwoord"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    running = start_desk(tmp_path_factory.mktemp("desk-auth"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def staff(desk: Desk) -> str:
    """A staff account shared by the tests that do not change it (each logs in anew)."""
    return desk.account("staff")


@pytest.fixture(scope="module")
def admin(desk: Desk) -> str:
    return desk.account("admin")


@pytest.fixture
def own_staff(desk: Desk) -> str:
    """A staff account of one test, for tests that disable it or change its password."""
    return desk.account("staff")


# ---------------------------------------------------------------------- without a login
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/desk/"),
        ("GET", "/desk/?language=ar"),
        ("GET", "/desk/cases/1"),
        ("GET", "/desk/cases/999999"),
        ("GET", "/desk/insight"),
        ("GET", "/desk/insight.csv"),
        ("GET", "/desk/something-else"),
        ("POST", "/desk/cases/1/answer"),
        ("POST", "/desk/cases/1/close"),
        ("POST", "/desk/logout"),
    ],
)
def test_every_desk_page_sends_a_visitor_without_login_to_the_login_page(desk, method, path):
    with desk.client() as client:
        response = client.request(method, path, data={"answer": "x"} if method == "POST" else None)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/desk/login")
    assert "Vraag" not in response.text


def test_the_login_page_is_open_and_carries_the_security_headers(desk):
    with desk.client() as client:
        page = client.get("/desk/login")
    assert page.status_code == 200 and 'name="password"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert "<script" not in page.text


# ---------------------------------------------------------------------- logging in
def test_wrong_password_and_unknown_user_get_the_same_generic_error(desk, staff):
    with desk.client() as client:
        wrong = post_login(client, staff, "not-the-password-at-all")
        unknown = post_login(client, "nobody-here", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert GENERIC_ERROR in response.text
        assert "wegwijs_desk=" not in response.headers.get("set-cookie", "")


def test_password_guessing_is_stopped_after_five_failures_for_a_username(desk, own_staff):
    with desk.client() as client:
        for _ in range(5):
            assert post_login(client, own_staff, "guess-guess-guess").status_code == 401
        blocked = post_login(client, own_staff, PASSWORD)  # even the right password now waits
    assert blocked.status_code == 429
    assert "Te veel mislukte pogingen" in blocked.text
    assert "wegwijs_desk=" not in blocked.headers.get("set-cookie", "")


def test_username_is_case_insensitive(desk, staff):
    with desk.client() as client:
        assert post_login(client, staff.upper(), PASSWORD).status_code == 303


def test_a_disabled_account_cannot_log_in_and_loses_its_session(desk, own_staff):
    client = desk.login(own_staff)
    assert client.get("/desk/").status_code == 200
    done = desk.accounts_cli("disable", own_staff)
    assert done.returncode == 0, done.stderr
    assert client.get("/desk/").status_code == 303  # the open session ended too
    with desk.client() as fresh:
        response = post_login(fresh, own_staff, PASSWORD)
    assert response.status_code == 401 and GENERIC_ERROR in response.text
    client.close()


def test_login_form_posted_without_its_own_cookie_is_refused(desk, staff):
    """Login CSRF: a form posted from another site arrives without the login cookie."""
    with desk.client() as client:
        token = hidden(client.get("/desk/login").text, "login_token")
    with desk.client() as other_site:
        response = other_site.post(
            "/desk/login", data={"username": staff, "password": PASSWORD, "login_token": token}
        )
    assert response.status_code == 403
    assert "wegwijs_desk=" not in response.headers.get("set-cookie", "")


def test_session_cookie_is_httponly_strict_and_scoped_to_the_desk(desk, staff):
    with desk.client() as client:
        response = post_login(client, staff, PASSWORD)
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("wegwijs_desk=")
    )
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=strict" in flags
    assert "path=/desk" in flags
    assert "secure" not in flags  # secure_cookies is off for plain-HTTP tests


def test_session_cookie_is_secure_when_the_settings_ask_for_it(tmp_path):
    from starlette.responses import Response

    response = Response()
    set_session_cookie(response, "token", isolated_settings(tmp_path, secure_cookies=True))
    assert "secure" in [p.strip().lower() for p in response.headers["set-cookie"].split(";")]


def test_login_returns_to_the_page_asked_for(desk, staff):
    case_id, _ = desk.case("Waar vind ik een huisarts?", "nl")
    with desk.client() as client:
        first = client.get(f"/desk/cases/{case_id}")
        assert first.headers["location"] == f"/desk/login?next=%2Fdesk%2Fcases%2F{case_id}"
        form = client.get(first.headers["location"])
        response = client.post(
            "/desk/login",
            data={
                "username": staff,
                "password": PASSWORD,
                "login_token": hidden(form.text, "login_token"),
                "next": hidden(form.text, "next"),
            },
        )
    assert response.headers["location"] == f"/desk/cases/{case_id}"


def test_password_is_stored_as_an_argon2id_hash(desk):
    username = desk.account("staff", password="een heel geheim wachtwoord")
    with Session(desk.db) as session:
        stored = session.scalars(
            select(StaffUser.password_hash).where(StaffUser.username == username)
        ).one()
    assert stored.startswith("$argon2id$")
    assert "een heel geheim wachtwoord" not in stored


def test_account_command_refuses_duplicates_and_short_passwords(desk, staff):
    duplicate = desk.accounts_cli("create", staff, "--password-stdin", password=PASSWORD)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    short = desk.accounts_cli("create", "kort-wachtwoord", "--password-stdin", password="kort")
    assert short.returncode == 1 and "at least 12" in short.stderr
    listing = desk.accounts_cli("list")
    assert listing.returncode == 0 and f"{staff}\tstaff\tactive" in listing.stdout
    assert "kort-wachtwoord" not in listing.stdout


def test_a_new_password_ends_old_sessions_and_works(desk, own_staff):
    client = desk.login(own_staff)
    done = desk.accounts_cli(
        "set-password", own_staff, "--password-stdin", password="een nieuw lang wachtwoord"
    )
    assert done.returncode == 0, done.stderr
    assert client.get("/desk/").status_code == 303
    client.close()
    desk.login(own_staff, "een nieuw lang wachtwoord").close()
    with desk.client() as client:
        assert post_login(client, own_staff, PASSWORD).status_code == 401


# ---------------------------------------------------------------------- sessions
def test_logout_makes_the_old_cookie_useless(desk, staff):
    client = desk.login(staff)
    cookie = client.cookies.get("wegwijs_desk")
    page = client.get("/desk/")
    response = client.post("/desk/logout", data={"csrf_token": hidden(page.text, "csrf_token")})
    assert response.status_code == 303 and response.headers["location"] == "/desk/login"
    client.close()
    with desk.client() as replay:
        replay.cookies.set("wegwijs_desk", cookie, path="/desk")
        assert replay.get("/desk/").status_code == 303


def test_an_expired_session_is_refused(desk, own_staff):
    client = desk.login(own_staff)
    assert client.get("/desk/").status_code == 200
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    with Session(desk.db) as session, session.begin():
        user_id = session.scalars(
            select(StaffUser.id).where(StaffUser.username == own_staff)
        ).one()
        session.execute(
            update(StaffSession).where(StaffSession.staff_id == user_id).values(expires_at=past)
        )
    assert client.get("/desk/").status_code == 303
    client.close()


def test_a_forged_cookie_is_refused(desk):
    with desk.client() as client:
        client.cookies.set("wegwijs_desk", "made-up-token", path="/desk")
        assert client.get("/desk/").status_code == 303


# ---------------------------------------------------------------------- CSRF
@pytest.mark.parametrize("csrf", [None, "", "wrong-token"])
def test_posts_without_the_sessions_csrf_token_are_refused(desk, staff, csrf):
    case_id, _ = desk.case("Ik heb een vraag over mijn brief.", "nl")
    client = desk.login(staff)
    data = {"answer": "Hallo"} | ({} if csrf is None else {"csrf_token": csrf})
    for path in (f"/desk/cases/{case_id}/answer", f"/desk/cases/{case_id}/close", "/desk/logout"):
        response = client.post(path, data=data)
        assert response.status_code == 403, path
    with Session(desk.db) as session:
        assert session.get(Case, case_id).status == "new"  # nothing was answered or closed
    assert client.get("/desk/").status_code == 200  # and logout did not happen
    client.close()


def test_a_csrf_token_of_another_session_is_refused(desk, staff):
    case_id, _ = desk.case("Nog een vraag.", "nl")
    other = desk.login(staff)
    token_of_other = hidden(other.get("/desk/").text, "csrf_token")
    client = desk.login(staff)
    response = client.post(f"/desk/cases/{case_id}/close", data={"csrf_token": token_of_other})
    assert response.status_code == 403
    other.close()
    client.close()


# ---------------------------------------------------------------------- roles and insight
def test_staff_cannot_see_insight(desk, staff):
    client = desk.login(staff)
    assert client.get("/desk/insight").status_code == 403
    assert client.get("/desk/insight.csv").status_code == 403
    assert 'href="/desk/insight"' not in client.get("/desk/").text
    client.close()


def test_admin_gets_the_anonymous_counts_as_csv(desk, admin):
    question = "ሕክምና ኢንሹራንስ ክረክብ ደልየ"
    for _ in range(2):
        desk.case(question, "ti", group="arbeidsmigrant", topic_intent="health_insurance")
    client = desk.login(admin)
    response = client.get("/desk/insight.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["week", "kind", "topic", "intent", "group", "language", "count"]
    ours = [
        r
        for r in rows[1:]
        if r[1:6] == ["handover", "healthcare", "health_insurance", "arbeidsmigrant", "ti"]
    ]
    assert len(ours) == 1 and ours[0][6] == "2"
    assert question not in response.text
    page = client.get("/desk/insight")
    assert page.status_code == 200 and "health_insurance" in page.text
    assert "Overdracht" in page.text
    client.close()


# ---------------------------------------------------------------------- the queue
def test_filters_narrow_the_queue(desk, staff):
    _, arabic = desk.case("أين أجد طبيب عام؟", "ar", group="asielzoeker")
    _, dutch = desk.case("Waar vind ik een huisarts?", "nl", group="statushouder")
    client = desk.login(staff)
    everything = queue_rows(client.get("/desk/").text)
    assert arabic in everything and dutch in everything
    only_arabic = queue_rows(client.get("/desk/?language=ar").text)
    assert arabic in only_arabic and dutch not in only_arabic
    assert all('data-language="ar"' in row for row in only_arabic.values())
    assert 'dir="rtl"' in only_arabic[arabic]
    by_group = queue_rows(client.get("/desk/?group=statushouder&language=").text)
    assert dutch in by_group and arabic not in by_group
    assert queue_rows(client.get("/desk/?age=168").text).keys().isdisjoint({arabic, dutch})
    client.close()


@pytest.mark.parametrize(
    "query", ["status=lost", "language=fr", "group=tourist", "topic=cooking", "age=abc", "age=0"]
)
def test_an_unknown_filter_value_gets_a_clear_400(desk, staff, query):
    client = desk.login(staff)
    response = client.get(f"/desk/?{query}")
    assert response.status_code == 400
    assert "Onbekende waarde voor filter" in response.text
    client.close()


def test_a_case_past_the_norm_stands_out(desk, staff):
    old_id, old = desk.case("Ik wacht al lang op antwoord.", "nl")
    _, fresh = desk.case("Een nieuwe vraag.", "nl")
    desk.age_case(old_id, days=30)
    client = desk.login(staff)
    rows = queue_rows(client.get("/desk/").text)
    assert 'class="case overdue"' in rows[old] and "Te laat" in rows[old]
    assert "overdue" not in rows[fresh] and "Te laat" not in rows[fresh]
    assert old in queue_rows(client.get("/desk/?age=168").text)
    client.close()


# ---------------------------------------------------------------------- a case
def test_case_page_answer_and_close(desk, staff):
    case_id, reference = desk.case("أين أجد طبيب عام؟", "ar")
    client = desk.login(staff)
    page = client.get(f"/desk/cases/{case_id}")
    assert page.status_code == 200 and reference in page.text
    assert 'id="question" lang="ar" dir="rtl"' in page.text
    assert "العربية" in page.text and "health_find_gp: 42%" in page.text
    assert "gemeente" in page.text and "B1" in page.text  # the note above the reply box
    token = hidden(page.text, "csrf_token")

    empty = client.post(f"/desk/cases/{case_id}/answer", data={"csrf_token": token, "answer": " "})
    assert empty.status_code == 400 and "Schrijf eerst een antwoord" in empty.text

    answered = client.post(
        f"/desk/cases/{case_id}/answer",
        data={"csrf_token": token, "answer": "U kunt bellen met de huisartsenpost."},
    )
    assert answered.status_code == 303
    assert answered.headers["location"] == f"/desk/cases/{case_id}"
    page = client.get(f"/desk/cases/{case_id}")
    assert 'data-status="answered"' in page.text
    assert "U kunt bellen met de huisartsenpost." in page.text

    closed = client.post(f"/desk/cases/{case_id}/close", data={"csrf_token": token})
    assert closed.status_code == 303
    late = client.post(
        f"/desk/cases/{case_id}/answer", data={"csrf_token": token, "answer": "Nog iets"}
    )
    assert late.status_code == 409 and "gesloten" in late.text
    with Session(desk.db) as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.case_reference == reference, AuditEvent.staff_username == staff
            )
        ).all()
    assert {"viewed", "answered", "closed"} <= set(actions)
    client.close()


def test_answers_are_escaped_not_run(desk, staff):
    case_id, _ = desk.case("<script>alert(1)</script>", "nl")
    client = desk.login(staff)
    page = client.get(f"/desk/cases/{case_id}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    client.close()


def test_unknown_case_gets_a_404_page(desk, staff):
    client = desk.login(staff)
    response = client.get("/desk/cases/999999")
    assert response.status_code == 404 and "bestaat niet" in response.text
    assert response.headers["x-frame-options"] == "DENY"
    client.close()


# ---------------------------------------------------------------------- the norm (pure)
UTC = dt.timezone.utc


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "created, days, deadline",
    [
        # Friday 14:00 UTC (15:00 in Amsterdam) + 1 working day = Monday, same clock time
        (utc(2026, 11, 20, 14, 0), 1, utc(2026, 11, 23, 14, 0)),
        # Saturday + 1 = Monday
        (utc(2026, 11, 21, 9, 0), 1, utc(2026, 11, 23, 9, 0)),
        # Monday + 5 = next Monday
        (utc(2026, 11, 16, 8, 0), 5, utc(2026, 11, 23, 8, 0)),
        # Wednesday + 3 = Monday
        (utc(2026, 11, 18, 8, 0), 3, utc(2026, 11, 23, 8, 0)),
        # Across the end of summer time: the local clock time stays (10:00 CEST -> 10:00 CET)
        (utc(2026, 10, 23, 8, 0), 1, utc(2026, 10, 26, 9, 0)),
        # Naive times from SQLite are UTC
        (dt.datetime(2026, 11, 20, 14, 0), 1, utc(2026, 11, 23, 14, 0)),
    ],
)
def test_answer_deadline_counts_working_days(created, days, deadline):
    assert answer_deadline(created, days) == deadline


def test_only_waiting_cases_are_past_the_norm():
    created = utc(2026, 11, 20, 14, 0)  # a Friday
    saturday_later = utc(2026, 11, 21, 20, 0)
    monday_later = utc(2026, 11, 23, 14, 1)
    assert not past_norm(created, "new", 1, saturday_later)  # a weekend does not count
    assert past_norm(created, "new", 1, monday_later)
    assert past_norm(created, "in_progress", 1, monday_later)
    assert not past_norm(created, "answered", 1, monday_later)
    assert not past_norm(created, "closed", 1, monday_later)
