"""Handover cases, as the person's side of the conversation needs them.

Offer -> (optional description) -> consent -> case. Consent creates the case, its first message, the
staff notification in the outbox and the anonymous insight count in ONE transaction, so a crash
either keeps all of them or none; a repeated consent returns the same case.

Everything here is synchronous SQLAlchemy; async callers run it in a worker thread. Nothing here
logs message text or conversation keys.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import (
    Case,
    CaseMessage,
    Conversation,
    HandoverOffer,
    InsightCount,
    OutboxItem,
    WebInboxMessage,
    WhatsAppWindow,
    now,
)
from core.catalogue import topic_of

#: Statuses in which a case still waits for or gets staff attention.
OPEN_STATUSES = ("new", "in_progress", "answered")
#: Longest description or added message we keep; longer text is cut, never refused.
MAX_TEXT = 2000
#: An offer the person neither accepted nor declined is forgotten after this.
UNANSWERED_OFFER_KEPT = dt.timedelta(days=1)


@dataclass(frozen=True)
class Offer:
    reason: str
    topic_intent: str | None
    question: str
    language: str
    group: str | None
    channel: str
    description: str | None
    awaiting_description: bool
    case_id: int | None


@dataclass(frozen=True)
class CaseRef:
    """What the person may know about one of their cases."""

    id: int
    reference: str
    status: str
    attached: bool
    created_at: dt.datetime


def new_reference() -> str:
    """A short reference a person can read out or type: "W-" and six digits."""
    return f"W-{secrets.randbelow(900000) + 100000}"


def iso_week(moment: dt.datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def count_event(
    session: Session,
    kind: str,
    intent: str | None,
    group: str | None,
    language: str | None,
    when: dt.datetime | None = None,
) -> None:
    """Add one to the anonymous weekly count (handover or fallback), in the caller's
    transaction."""
    key = dict(
        week=iso_week(when or now()),
        kind=kind,
        topic=topic_of(intent) or "",
        intent=intent or "",
        group=group or "",
        language=language or "",
    )
    updated = session.execute(
        update(InsightCount)
        .where(*(getattr(InsightCount, k) == v for k, v in key.items()))
        .values(count=InsightCount.count + 1)
    )
    if updated.rowcount == 0:
        # The first count of this combination. A concurrent first insert loses on the unique
        # constraint; the savepoint keeps the caller's transaction alive and we update instead.
        try:
            with session.begin_nested():
                session.add(InsightCount(**key, count=1))
        except IntegrityError:
            session.execute(
                update(InsightCount)
                .where(*(getattr(InsightCount, k) == v for k, v in key.items()))
                .values(count=InsightCount.count + 1)
            )


class CaseStore:
    """The person's side of handovers: offers, consent, messages into a case, status, erasure."""

    def __init__(self, db: Engine) -> None:
        self.db = db

    # ------------------------------------------------------------------ offers
    def record_offer(
        self,
        key: str,
        *,
        reason: str,
        topic_intent: str | None,
        question: str,
        candidates: list[dict[str, Any]],
        excerpt: list[dict[str, str]],
        language: str,
        group: str | None,
        channel: str,
    ) -> None:
        """Remember what would be handed over; replaces an earlier offer of this conversation."""
        with Session(self.db) as session, session.begin():
            session.execute(delete(HandoverOffer).where(HandoverOffer.conversation_key == key))
            session.add(
                HandoverOffer(
                    conversation_key=key,
                    reason=reason,
                    topic_intent=topic_intent,
                    question=question[:MAX_TEXT],
                    candidates=candidates[:5],
                    excerpt=excerpt,
                    language=language,
                    group=group,
                    channel=channel,
                )
            )

    def offer(self, key: str) -> Offer | None:
        with Session(self.db) as session:
            row = session.get(HandoverOffer, key)
            if row is None:
                return None
            return Offer(
                row.reason,
                row.topic_intent,
                row.question,
                row.language,
                row.group,
                row.channel,
                row.description,
                row.awaiting_description,
                row.case_id,
            )

    def await_description(self, key: str) -> bool:
        """The person wants to add a description: the next text they send is it."""
        with Session(self.db) as session, session.begin():
            row = session.get(HandoverOffer, key)
            if row is None or row.case_id is not None:
                return False
            row.awaiting_description = True
            return True

    def stop_waiting_for_description(self, key: str) -> None:
        """The person went on with something else (another button): their next text is a new
        question for the bot, not the description."""
        with Session(self.db) as session, session.begin():
            session.execute(
                update(HandoverOffer)
                .where(HandoverOffer.conversation_key == key)
                .values(awaiting_description=False)
            )

    def set_description(self, key: str, text: str) -> None:
        with Session(self.db) as session, session.begin():
            row = session.get(HandoverOffer, key)
            if row is not None:
                row.description = text[:MAX_TEXT]
                row.awaiting_description = False

    def withdraw_offer(self, key: str) -> None:
        """The person said no: forget the question (nothing was sent)."""
        with Session(self.db) as session, session.begin():
            session.execute(
                delete(HandoverOffer).where(
                    HandoverOffer.conversation_key == key, HandoverOffer.case_id.is_(None)
                )
            )

    def consent(self, key: str) -> CaseRef | None:
        """Create the case for the pending offer (once), with its notification and count.

        Returns None when there is no offer to consent to (it expired, was declined or erased).
        """
        with Session(self.db) as session, session.begin():
            offer = session.get(HandoverOffer, key, with_for_update=True)
            if offer is None:
                return None
            if offer.case_id is not None:
                case = session.get(Case, offer.case_id)
                return _ref(case) if case else None
            case = _insert_case(session, key, offer)
            offer.case_id = case.id
            offer.awaiting_description = False
            session.add(
                OutboxItem(
                    kind="notify_staff",
                    dedupe_key=f"notify:{case.id}",
                    case_id=case.id,
                    payload={"reference": case.reference},
                )
            )
            count_event(session, "handover", offer.topic_intent, offer.group, offer.language)
            return _ref(case)

    # ------------------------------------------------------------------ an open case
    def attached_case(self, key: str) -> CaseRef | None:
        """The open case that the person's messages currently go to, if any."""
        with Session(self.db) as session:
            return _attached(session, key)

    def route_of(self, key: str) -> tuple[bool, CaseRef | None]:
        """Where a typed message goes, in one look: (is it the description we wait for?, the
        attached open case if it is not)."""
        with Session(self.db) as session:
            offer = session.get(HandoverOffer, key)
            if offer is not None and offer.awaiting_description:
                return True, None
            return False, _attached(session, key)

    def add_person_message(self, case_id: int, text: str, crisis: bool = False) -> None:
        """Add the person's message to their case; the case needs staff attention again."""
        with Session(self.db) as session, session.begin():
            case = session.get(Case, case_id)
            if case is None:
                return
            session.add(
                CaseMessage(case_id=case_id, author="person", text=text[:MAX_TEXT], crisis=crisis)
            )
            case.unread = True
            if case.status == "answered":
                case.status = "in_progress"

    def set_attached(self, case_id: int, attached: bool) -> None:
        """Detach (the person wants the bot again) or re-attach (they reply to a staff answer)."""
        with Session(self.db) as session, session.begin():
            case = session.get(Case, case_id)
            if case is not None and case.status in OPEN_STATUSES:
                case.attached = attached

    def detach_all(self, key: str) -> None:
        with Session(self.db) as session, session.begin():
            session.execute(
                update(Case).where(Case.conversation_key == key).values(attached=False)
            )

    def cases_of(self, key: str, limit: int = 5) -> list[CaseRef]:
        """The person's cases, newest first (closed ones too, until they are deleted)."""
        with Session(self.db) as session:
            rows = session.scalars(
                select(Case)
                .where(Case.conversation_key == key)
                .order_by(Case.id.desc())
                .limit(limit)
            )
            return [_ref(case) for case in rows]

    def case_of(self, key: str, case_id: int) -> CaseRef | None:
        """One case, only if it belongs to this conversation."""
        with Session(self.db) as session:
            case = session.get(Case, case_id)
            return _ref(case) if case and case.conversation_key == key else None

    # ------------------------------------------------------------------ privacy
    def erase_person(self, key: str) -> int:
        """Delete everything we hold about one conversation; returns how many cases went."""
        with Session(self.db) as session, session.begin():
            case_ids = list(session.scalars(select(Case.id).where(Case.conversation_key == key)))
            session.execute(delete(HandoverOffer).where(HandoverOffer.conversation_key == key))
            _delete_cases(session, case_ids)
            session.execute(delete(WebInboxMessage).where(WebInboxMessage.conversation_key == key))
            session.execute(delete(Conversation).where(Conversation.key == key))
            session.execute(delete(WhatsAppWindow).where(WhatsAppWindow.conversation_key == key))
            return len(case_ids)

    def purge(self, retention: dt.timedelta) -> int:
        """Delete what is past its time; returns how many cases went.

        - cases closed longer ago than `retention`, with their messages and outbox items;
        - web inbox messages and remembered languages older than `retention`;
        - offers nobody answered within a day (the question the person did not send).
        """
        cutoff = now() - retention
        with Session(self.db) as session, session.begin():
            session.execute(
                delete(HandoverOffer).where(
                    HandoverOffer.case_id.is_(None),
                    HandoverOffer.created_at <= now() - UNANSWERED_OFFER_KEPT,
                )
            )
            session.execute(delete(WebInboxMessage).where(WebInboxMessage.created_at <= cutoff))
            session.execute(delete(Conversation).where(Conversation.updated_at <= cutoff))
            case_ids = list(
                session.scalars(
                    select(Case.id).where(Case.status == "closed", Case.closed_at <= cutoff)
                )
            )
            _delete_cases(session, case_ids)
            return len(case_ids)

    def count_fallback(self, intent: str | None, group: str | None, language: str | None) -> None:
        with Session(self.db) as session, session.begin():
            count_event(session, "fallback", intent, group, language)


def _attached(session: Session, key: str) -> CaseRef | None:
    case = session.scalars(
        select(Case)
        .where(
            Case.conversation_key == key,
            Case.attached.is_(True),
            Case.status.in_(OPEN_STATUSES),
        )
        .order_by(Case.id.desc())
        .limit(1)
    ).first()
    return _ref(case) if case else None


def _delete_cases(session: Session, case_ids: list[int]) -> None:
    """Delete cases with their messages and outbox items (explicitly: SQLite enforces foreign
    keys only per connection setting, so we do not rely on ON DELETE CASCADE)."""
    if not case_ids:
        return
    session.execute(
        update(HandoverOffer).where(HandoverOffer.case_id.in_(case_ids)).values(case_id=None)
    )
    session.execute(delete(OutboxItem).where(OutboxItem.case_id.in_(case_ids)))
    session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(case_ids)))
    session.execute(delete(Case).where(Case.id.in_(case_ids)))


def _insert_case(session: Session, key: str, offer: HandoverOffer) -> Case:
    """Insert a case with a fresh reference (retried on the rare clash with an existing one)."""
    for _ in range(20):
        reference = new_reference()
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            break
    case = Case(
        reference=reference,
        conversation_key=key,
        channel=offer.channel,
        language=offer.language,
        group=offer.group,
        reason=offer.reason,
        topic_intent=offer.topic_intent,
        topic=topic_of(offer.topic_intent),
        question=offer.question,
        description=offer.description,
        candidates=offer.candidates,
        excerpt=offer.excerpt,
        status="new",
        attached=True,
        unread=True,
    )
    session.add(case)
    session.flush()
    first = offer.question or offer.description or ""
    if first:
        session.add(CaseMessage(case_id=case.id, author="person", text=first))
    if offer.description and offer.question:
        session.add(CaseMessage(case_id=case.id, author="person", text=offer.description))
    return case


def _ref(case: Case) -> CaseRef:
    return CaseRef(case.id, case.reference, case.status, case.attached, case.created_at)
