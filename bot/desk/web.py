"""Routes of the staff desk under /desk: login, queue, case pages, answers, insight, logout.

Server-rendered pages without any JavaScript. Every route except the login page needs a desk
session (bot.desk.auth); the insight pages need the admin role. All responses, error pages
included, carry the security headers of bot.desk.headers. Database work is synchronous
SQLAlchemy, so it runs in a worker thread.
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
from collections import defaultdict
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.templating import Jinja2Templates

from bot.cases import MAX_TEXT
from bot.casework import CaseClosed, CaseNotFound, Casework
from bot.db import now
from bot.desk import auth, labels, passwords
from bot.desk.filters import FILTER_KEYS, BadFilter, Choices, parse_filters
from bot.desk.headers import SecurityHeaders, content_security_policy, stylesheet
from bot.desk.norms import past_norm
from bot.desk.throttle import LoginThrottle
from core.languages import NATIVE_NAMES, direction

logger = logging.getLogger(__name__)

INSIGHT_COLUMNS = ("week", "kind", "topic", "intent", "group", "language", "count")
#: The most cases one queue page shows; staff narrow it down with the filters.
QUEUE_LIMIT = 200


def desk_routes(templates: Jinja2Templates) -> list[BaseRoute]:
    """The desk as one mounted app, so the security headers wrap every response under /desk."""
    css = stylesheet()
    labels.install(templates.env)
    passwords.prepare()
    pages = DeskPages(templates, css)
    admin = auth.requires_staff("admin", forbidden=pages.forbidden)
    staff = auth.requires_staff("staff", forbidden=pages.forbidden)
    router = Router(
        routes=[
            Route("/login", pages.login_form, methods=["GET"]),
            Route("/login", pages.login, methods=["POST"]),
            Route("/logout", staff(pages.logout), methods=["POST"]),
            Route("/", staff(pages.queue), methods=["GET"]),
            Route("/cases/{case_id:int}", staff(pages.case), methods=["GET"]),
            Route("/cases/{case_id:int}/answer", staff(pages.answer), methods=["POST"]),
            Route("/cases/{case_id:int}/close", staff(pages.close), methods=["POST"]),
            Route("/insight", admin(pages.insight), methods=["GET"]),
            Route("/insight.csv", admin(pages.insight_csv), methods=["GET"]),
            # Anything else: the login page without a session, a 404 page with one.
            Route("/{rest:path}", staff(pages.not_found), methods=["GET", "POST"]),
        ]
    )
    return [Mount("", app=SecurityHeaders(router, content_security_policy(css)))]


class DeskPages:
    def __init__(self, templates: Jinja2Templates, css: str) -> None:
        self.templates = templates
        self.css = css
        self.throttle = LoginThrottle()

    # ------------------------------------------------------------------ rendering
    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        staff = getattr(request.state, "staff", None)
        return self.templates.TemplateResponse(
            request,
            f"desk/{template}",
            {"staff": staff, "desk_css": self.css, **context},
            status_code=status,
        )

    def error(self, request: Request, status: int, title: str, message: str) -> Response:
        return self.render(request, "error.html", status, title=title, message=message)

    def forbidden(self, request: Request, reason: str) -> Response:
        if reason == "csrf":
            message = (
                "Het formulier is verlopen of niet geldig. Ga terug, laad de pagina opnieuw "
                "en probeer het nog eens."
            )
        else:
            message = "Deze pagina is alleen voor beheerders."
        return self.error(request, 403, "Geen toegang", message)

    async def not_found(self, request: Request) -> Response:
        message = "Deze pagina of zaak bestaat niet (meer)."
        return self.error(request, 404, "Niet gevonden", message)

    # ------------------------------------------------------------------ login and logout
    async def login_form(self, request: Request) -> Response:
        db = request.app.state.db
        if await anyio.to_thread.run_sync(auth.staff_for, db, request.cookies.get(auth.COOKIE)):
            return RedirectResponse(auth.safe_next(request.query_params.get("next")), 303)
        return self._login_page(request, 200, None, request.query_params.get("next"))

    async def login(self, request: Request) -> Response:
        settings = request.app.state.settings
        form = await request.form()
        target = form.get("next")
        if not auth.login_form_is_genuine(request, form.get("login_token")):
            logger.warning("desk login refused: the form's login token did not match")
            return self._login_page(
                request, 403, "Het inlogformulier was verlopen. Probeer het opnieuw.", target
            )
        username, password = form.get("username"), form.get("password")
        if isinstance(username, str) and self.throttle.blocked(username):
            logger.warning("desk login refused: too many failed attempts for one username")
            return self._login_page(
                request,
                429,
                "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
                target,
            )
        token = None
        if isinstance(username, str) and isinstance(password, str) and username and password:
            token = await anyio.to_thread.run_sync(
                auth.login, request.app.state.db, username, password, settings.desk_session_hours
            )
            (self.throttle.failed if token is None else self.throttle.succeeded)(username)
        if token is None:
            logger.info("desk login failed")
            return self._login_page(
                request, 401, "Onbekende gebruiker of verkeerd wachtwoord.", target
            )
        logger.info("desk login")
        response = RedirectResponse(auth.safe_next(target), status_code=303)
        auth.set_session_cookie(response, token, settings)
        auth.clear_login_cookie(response, settings)
        return response

    def _login_page(
        self, request: Request, status: int, error: str | None, target: object
    ) -> Response:
        token = secrets.token_urlsafe(32)
        response = self.render(
            request,
            "login.html",
            status,
            error=error,
            next=auth.safe_next(target),
            login_token=token,
        )
        auth.set_login_cookie(response, token, request.app.state.settings)
        return response

    async def logout(self, request: Request) -> Response:
        settings = request.app.state.settings
        await anyio.to_thread.run_sync(
            auth.logout, request.app.state.db, request.cookies.get(auth.COOKIE)
        )
        logger.info("desk logout")
        response = RedirectResponse(auth.LOGIN_PATH, status_code=303)
        auth.clear_session_cookie(response, settings)
        return response

    # ------------------------------------------------------------------ queue
    async def queue(self, request: Request) -> Response:
        try:
            filters = parse_filters(request.query_params)
        except BadFilter as exc:
            return self.error(request, 400, "Ongeldig filter", str(exc))
        casework: Casework = request.app.state.casework
        rows = await anyio.to_thread.run_sync(casework.queue, filters, QUEUE_LIMIT)
        norm = request.app.state.profile.answer_time_working_days
        moment = now()
        cases = [
            {"row": row, "overdue": past_norm(row.created_at, row.status, norm, moment)}
            for row in rows
        ]
        return self.render(
            request,
            "queue.html",
            cases=cases,
            filters=filters,
            selected={key: request.query_params.get(key, "") for key in FILTER_KEYS},
            choices=Choices(),
            norm=norm,
            now=moment,
            truncated=len(rows) >= QUEUE_LIMIT,
        )

    # ------------------------------------------------------------------ one case
    async def case(self, request: Request) -> Response:
        return await self._case_page(request, 200)

    async def _case_page(
        self, request: Request, status: int, error: str | None = None, draft: str = ""
    ) -> Response:
        """Render the case page; opening it is audited (and moves a new case to in progress)."""
        staff: auth.Staff = request.state.staff
        casework: Casework = request.app.state.casework
        case_id = request.path_params["case_id"]
        try:
            detail = await anyio.to_thread.run_sync(
                casework.view, case_id, staff.username, error is None
            )
        except CaseNotFound:
            return await self.not_found(request)
        profile = request.app.state.profile
        return self.render(
            request,
            "case.html",
            status,
            case=detail,
            language_name=NATIVE_NAMES.get(detail.row.language, detail.row.language),
            direction=direction(detail.row.language),
            overdue=past_norm(
                detail.row.created_at, detail.row.status, profile.answer_time_working_days, now()
            ),
            error=error,
            draft=draft,
            max_text=MAX_TEXT,
        )

    async def answer(self, request: Request) -> Response:
        staff: auth.Staff = request.state.staff
        case_id = request.path_params["case_id"]
        form = await request.form()
        text = form.get("answer")
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            return await self._case_page(request, 400, "Schrijf eerst een antwoord.")
        if len(text) > MAX_TEXT:
            return await self._case_page(
                request, 400, f"Je antwoord is te lang: maximaal {MAX_TEXT} tekens.", text
            )
        try:
            await anyio.to_thread.run_sync(
                request.app.state.casework.answer, case_id, staff.username, staff.id, text
            )
        except CaseNotFound:
            return await self.not_found(request)
        except CaseClosed:
            return await self._case_page(
                request,
                409,
                "Deze zaak is gesloten. Je antwoord is niet verstuurd.",
            )
        logger.info("desk case answered")
        return RedirectResponse(f"{auth.DESK}/cases/{case_id}", status_code=303)

    async def close(self, request: Request) -> Response:
        staff: auth.Staff = request.state.staff
        case_id = request.path_params["case_id"]
        try:
            await anyio.to_thread.run_sync(
                request.app.state.casework.close, case_id, staff.username
            )
        except CaseNotFound:
            return await self.not_found(request)
        logger.info("desk case closed")
        return RedirectResponse(f"{auth.DESK}/cases/{case_id}", status_code=303)

    # ------------------------------------------------------------------ insight (admin)
    async def insight(self, request: Request) -> Response:
        rows = await anyio.to_thread.run_sync(request.app.state.casework.insight)
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for row in rows:
            totals[(row["week"], row["kind"])] += row["count"]
        return self.render(
            request,
            "insight.html",
            rows=rows,
            totals=sorted(totals.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True),
            columns=INSIGHT_COLUMNS,
        )

    async def insight_csv(self, request: Request) -> Response:
        rows = await anyio.to_thread.run_sync(request.app.state.casework.insight)
        return Response(
            insight_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="wegwijs-inzicht.csv"'},
        )


def insight_csv(rows: list[dict[str, Any]]) -> str:
    """The anonymous counts as CSV. Text cells that a spreadsheet would run as a formula get a
    leading apostrophe (they are catalogue codes, so this should never happen)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(INSIGHT_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in INSIGHT_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
