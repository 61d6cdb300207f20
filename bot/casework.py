"""Handover cases, as the staff desk needs them: the queue, one case, answering, closing, audit.

An answer or a closing notice for the person goes into the outbox in the same transaction as the
case change, so it is delivered exactly when the change is kept. Every view, answer and close is
written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from bot.cases import MAX_TEXT, OPEN_STATUSES
from bot.db import AuditEvent, Case, CaseMessage, InsightCount, OutboxItem, StaffUser, now

STATUSES = ("new", "in_progress", "answered", "closed")


class CaseNotFound(LookupError):
    pass


class CaseClosed(ValueError):
    """Staff tried to answer a closed case."""


@dataclass(frozen=True)
class QueueFilter:
    """The desk's queue filters; None means any."""

    status: str | None = None
    language: str | None = None
    group: str | None = None
    topic: str | None = None
    #: Only cases older than this many hours.
    older_than_hours: float | None = None
    #: Show closed cases too when no status is chosen.
    include_closed: bool = False


@dataclass(frozen=True)
class CaseRow:
    id: int
    reference: str
    status: str
    language: str
    group: str | None
    topic: str | None
    topic_intent: str | None
    channel: str
    created_at: dt.datetime
    unread: bool
    #: The first line of the question, for the queue (staff only).
    summary: str


@dataclass(frozen=True)
class CaseDetail:
    row: CaseRow
    question: str
    description: str | None
    reason: str
    candidates: list[dict[str, Any]]
    excerpt: list[dict[str, str]]
    messages: list[dict[str, Any]]
    audit: list[dict[str, Any]] = field(default_factory=list)
    answered_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


class Casework:
    def __init__(self, db: Engine) -> None:
        self.db = db

    def queue(self, filters: QueueFilter, limit: int = 200) -> list[CaseRow]:
        """Cases for the queue, oldest first (the oldest waits longest)."""
        query = select(Case)
        if filters.status:
            query = query.where(Case.status == filters.status)
        elif not filters.include_closed:
            query = query.where(Case.status.in_(OPEN_STATUSES))
        if filters.language:
            query = query.where(Case.language == filters.language)
        if filters.group:
            query = query.where(Case.group == filters.group)
        if filters.topic:
            query = query.where(Case.topic == filters.topic)
        if filters.older_than_hours is not None:
            cutoff = now() - dt.timedelta(hours=filters.older_than_hours)
            query = query.where(Case.created_at <= cutoff)
        with Session(self.db) as session:
            return [_row(c) for c in session.scalars(query.order_by(Case.id).limit(limit))]

    def open_count(self) -> int:
        with Session(self.db) as session:
            return session.scalar(
                select(func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
            )

    def view(self, case_id: int, staff: str, audit: bool = True) -> CaseDetail:
        """Open a case: a new case becomes in_progress; the view is audited (not when the page is
        only shown again to report an error in a form)."""
        with Session(self.db) as session, session.begin():
            case = _get(session, case_id)
            if case.status == "new":
                case.status = "in_progress"
            if audit:
                session.add(
                    AuditEvent(
                        case_reference=case.reference, staff_username=staff, action="viewed"
                    )
                )
            session.flush()
            return _detail(session, case)

    def answer(self, case_id: int, staff: str, staff_id: int | None, text: str) -> int:
        """Store the staff answer and queue its delivery to the person's chat; returns its id."""
        text = text.strip()[:MAX_TEXT]
        if not text:
            raise ValueError("an answer needs text")
        with Session(self.db) as session, session.begin():
            case = _get(session, case_id)
            if case.status == "closed":
                raise CaseClosed(case.reference)
            message = CaseMessage(case_id=case.id, author="staff", staff_id=staff_id, text=text)
            session.add(message)
            session.flush()
            case.status = "answered"
            case.unread = False
            case.answered_at = now()
            _queue_delivery(session, case, "staff_answer", f"answer:{message.id}", text)
            session.add(
                AuditEvent(case_reference=case.reference, staff_username=staff, action="answered")
            )
            return message.id

    def close(self, case_id: int, staff: str) -> None:
        """Close the case; the person is told, and their messages go to the bot again."""
        with Session(self.db) as session, session.begin():
            case = _get(session, case_id)
            if case.status == "closed":
                return
            case.status = "closed"
            case.closed_at = now()
            case.attached = False
            case.unread = False
            _queue_delivery(session, case, "case_closed", f"closed:{case.id}", "")
            session.add(
                AuditEvent(case_reference=case.reference, staff_username=staff, action="closed")
            )

    def insight(self) -> list[dict[str, Any]]:
        """All anonymous counts, newest week first (for the insight page and its CSV)."""
        with Session(self.db) as session:
            rows = session.scalars(
                select(InsightCount).order_by(
                    InsightCount.week.desc(),
                    InsightCount.kind,
                    InsightCount.topic,
                    InsightCount.intent,
                )
            )
            return [
                dict(
                    week=r.week,
                    kind=r.kind,
                    topic=r.topic,
                    intent=r.intent,
                    group=r.group,
                    language=r.language,
                    count=r.count,
                )
                for r in rows
            ]


def _queue_delivery(
    session: Session, case: Case, message: str, dedupe_key: str, text: str
) -> None:
    session.add(
        OutboxItem(
            kind="deliver",
            dedupe_key=dedupe_key,
            case_id=case.id,
            conversation_key=case.conversation_key,
            payload={
                "message": message,
                "conversation_key": case.conversation_key,
                "channel": case.channel,
                "language": case.language,
                "reference": case.reference,
                "text": text,
            },
        )
    )


def _get(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id, options=[selectinload(Case.messages)])
    if case is None:
        raise CaseNotFound(case_id)
    return case


def _row(case: Case) -> CaseRow:
    first_line = (case.question or case.description or "").strip().splitlines()
    return CaseRow(
        case.id,
        case.reference,
        case.status,
        case.language,
        case.group,
        case.topic,
        case.topic_intent,
        case.channel,
        case.created_at,
        case.unread,
        (first_line[0] if first_line else "")[:120],
    )


def _detail(session: Session, case: Case) -> CaseDetail:
    staff_ids = {m.staff_id for m in case.messages if m.staff_id is not None}
    names = dict(
        session.execute(
            select(StaffUser.id, StaffUser.username).where(StaffUser.id.in_(staff_ids))
        ).all()
    )
    audit = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_reference == case.reference)
        .order_by(AuditEvent.id)
    )
    return CaseDetail(
        row=_row(case),
        question=case.question,
        description=case.description,
        reason=case.reason,
        candidates=list(case.candidates or []),
        excerpt=list(case.excerpt or []),
        messages=[
            dict(
                author=m.author,
                staff=names.get(m.staff_id),
                text=m.text,
                crisis=m.crisis,
                created_at=m.created_at,
            )
            for m in case.messages
        ],
        audit=[dict(staff=a.staff_username, action=a.action, at=a.at) for a in audit],
        answered_at=case.answered_at,
        closed_at=case.closed_at,
    )
