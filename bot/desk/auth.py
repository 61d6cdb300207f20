"""Desk logins: server-side sessions, roles and CSRF protection.

A login creates a random token (secrets.token_urlsafe(32)) for the cookie; the database keeps only
its SHA-256, so a leaked database copy holds no usable session. Each session has its own CSRF
token, which every POST form of the desk carries in a hidden `csrf_token` field. Logging out,
disabling an account or setting its password deletes the session rows, which ends those logins.

The cookie `wegwijs_desk` is HttpOnly (no script can read it), SameSite=Strict (no other site
can make the browser send it), Path=/desk and Secure when settings.secure_cookies is on.

Login CSRF (another site logging a staff member's browser into the attacker's account, so what
they type lands there) is stopped with a double-submit token: the login page sets a short-lived
SameSite=Strict cookie `wegwijs_desk_login` and puts the same random value in the form. A form
posted from another site arrives without that cookie and is refused. No session exists yet at
that point, so there is nothing else to compare with.

Logs name only the kind of event (login, failed login, logout); never usernames, passwords or
anything a person wrote.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Awaitable, Callable
from urllib.parse import urlencode

import anyio
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.db import StaffSession, StaffUser, now
from bot.desk import passwords
from bot.desk.norms import as_utc
from core.config import Settings

logger = logging.getLogger(__name__)

COOKIE = "wegwijs_desk"
LOGIN_COOKIE = "wegwijs_desk_login"
DESK = "/desk"
LOGIN_PATH = f"{DESK}/login"
#: How long a login form stays valid (its double-submit cookie expires then).
LOGIN_FORM_SECONDS = 3600
MAX_USERNAME = 80

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member of a request, with the CSRF token of their session."""

    id: int
    username: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------------- sessions in the database
def login(db: Engine, username: str, password: str, hours: float) -> str | None:
    """Check the credentials; on success store a new session and return its cookie token.

    Unknown users, wrong passwords and disabled accounts all take the same path through one
    argon2 verification and all return None, so neither the answer nor its timing tells which.
    """
    name = username.strip().lower()[:MAX_USERNAME]
    with Session(db) as session, session.begin():
        user = session.scalars(select(StaffUser).where(StaffUser.username == name)).first()
        if user is None:
            passwords.verify_dummy(password)
            return None
        matches, new_hash = passwords.verify(user.password_hash, password)
        if not matches or not user.active:
            return None
        if new_hash:
            user.password_hash = new_hash
        token = secrets.token_urlsafe(32)
        moment = now()
        # Housekeeping: expired sessions are useless; remove them whenever someone logs in.
        session.execute(delete(StaffSession).where(StaffSession.expires_at < moment))
        session.add(
            StaffSession(
                token_hash=_digest(token),
                staff_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=moment,
                expires_at=moment + dt.timedelta(hours=hours),
            )
        )
        return token


def staff_for(db: Engine, token: str | None) -> Staff | None:
    """The active staff member whose unexpired session the cookie token belongs to."""
    if not token or len(token) > 100:
        return None
    with Session(db) as session, session.begin():
        row = session.get(StaffSession, _digest(token))
        if row is None:
            return None
        if as_utc(row.expires_at) <= now():
            session.delete(row)
            return None
        user = session.get(StaffUser, row.staff_id)
        if user is None or not user.active:
            return None
        return Staff(user.id, user.username, user.role, row.csrf_token)


def logout(db: Engine, token: str | None) -> None:
    if not token:
        return
    with Session(db) as session, session.begin():
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))


# ---------------------------------------------------------------------- cookies
def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(settings.desk_session_hours * 3600),
        path=DESK,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path=DESK, secure=settings.secure_cookies, httponly=True, samesite="strict"
    )


def set_login_cookie(response: Response, token: str, settings: Settings) -> None:
    """Start a login form: `token` (from secrets.token_urlsafe) is in the form and this cookie."""
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=LOGIN_FORM_SECONDS,
        path=LOGIN_PATH,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def clear_login_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        LOGIN_COOKIE,
        path=LOGIN_PATH,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def login_form_is_genuine(request: Request, submitted: object) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    return bool(cookie) and isinstance(submitted, str) and same_token(cookie, submitted)


def same_token(expected: str, submitted: object) -> bool:
    if not isinstance(submitted, str) or not submitted:
        return False
    return secrets.compare_digest(expected.encode(), submitted.encode())


_SAFE_NEXT = re.compile(r"^/desk/[A-Za-z0-9/_.?=&%-]*$")


def safe_next(target: object) -> str:
    """Where to go after logging in: only a desk path of ours, never another site."""
    if isinstance(target, str) and _SAFE_NEXT.match(target) and "//" not in target:
        return target
    return f"{DESK}/"


# ---------------------------------------------------------------------- guarding endpoints
def requires_staff(
    role: str = "staff", forbidden: Callable[[Request, str], Response] | None = None
) -> Callable[[Endpoint], Endpoint]:
    """Let an endpoint run only for a logged-in staff member (admins when role="admin").

    Without a valid session the browser is sent to the login page. A POST must carry the
    session's CSRF token in its form, otherwise it gets 403 before the endpoint runs. The staff
    member is in request.state.staff for the endpoint. `forbidden(request, reason)` renders the
    403 page (a plain text answer when not given).
    """

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            db = request.app.state.db
            staff = await anyio.to_thread.run_sync(staff_for, db, request.cookies.get(COOKIE))
            if staff is None:
                return _to_login(request)
            request.state.staff = staff
            if request.method == "POST":
                form = await request.form()
                if not same_token(staff.csrf_token, form.get("csrf_token")):
                    logger.warning("desk request refused: missing or wrong CSRF token")
                    return _forbidden(request, "csrf", forbidden)
            if role == "admin" and not staff.is_admin:
                return _forbidden(request, "role", forbidden)
            return await endpoint(request)

        return guarded

    return decorate


def _to_login(request: Request) -> Response:
    target = LOGIN_PATH
    if request.method == "GET":
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if safe_next(path) == path and path != f"{DESK}/":
            target += "?" + urlencode({"next": path})
    return RedirectResponse(target, status_code=303)


def _forbidden(
    request: Request, reason: str, render: Callable[[Request, str], Response] | None
) -> Response:
    if render is not None:
        return render(request, reason)
    return Response("Geen toegang", status_code=403, media_type="text/plain")
