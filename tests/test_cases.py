"""Cases on both databases (SQLite and PostgreSQL): consent, staff work, retention and erasure.

These drive the case services directly on a real, migrated database; the end-to-end tests
(test_handover.py) drive the same paths through the chat and the engine.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.cases import CaseStore
from bot.casework import CaseClosed, Casework, QueueFilter
from bot.db import (
    Case,
    CaseMessage,
    Conversation,
    HandoverOffer,
    InsightCount,
    OutboxItem,
)
from bot.memory import LanguageMemory

KEY = "web:person-1"


def offer(store: CaseStore, key: str = KEY, **overrides) -> None:
    values = dict(
        reason="request_human",
        topic_intent="health_find_gp",
        question="Ik vind geen huisarts die mij wil inschrijven",
        candidates=[{"intent": "health_find_gp", "confidence": 0.91}],
        excerpt=[{"from": "person", "text": "Ik vind geen huisarts die mij wil inschrijven"}],
        language="nl",
        group="statushouder",
        channel="web",
    )
    values.update(overrides)
    store.record_offer(key, **values)


def count(db, model, *where) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_consent_creates_the_case_its_notification_and_the_count_together(db):
    store = CaseStore(db)
    offer(store)
    case = store.consent(KEY)
    assert re.fullmatch(r"W-\d{6}", case.reference)
    assert case.status == "new" and case.attached
    with Session(db) as session:
        row = session.get(Case, case.id)
        assert row.topic == "healthcare" and row.group == "statushouder"
        assert [m.text for m in row.messages] == ["Ik vind geen huisarts die mij wil inschrijven"]
        outbox = session.scalars(select(OutboxItem)).all()
        assert [(o.kind, o.payload) for o in outbox] == [
            ("notify_staff", {"reference": case.reference})
        ]
        counts = session.scalars(select(InsightCount)).all()
        assert [(c.kind, c.topic, c.intent, c.group, c.language, c.count) for c in counts] == [
            ("handover", "healthcare", "health_find_gp", "statushouder", "nl", 1)
        ]


def test_a_repeated_consent_returns_the_same_case_and_notifies_once(db):
    store = CaseStore(db)
    offer(store)
    first, second = store.consent(KEY), store.consent(KEY)
    assert first.reference == second.reference
    assert count(db, Case) == 1 and count(db, OutboxItem) == 1


def test_no_case_without_consent(db):
    store = CaseStore(db)
    offer(store)
    store.withdraw_offer(KEY)
    assert store.consent(KEY) is None
    assert count(db, Case) == 0 and count(db, HandoverOffer) == 0


def test_the_description_goes_with_the_case(db):
    store = CaseStore(db)
    offer(store)
    assert store.await_description(KEY)
    assert store.offer(KEY).awaiting_description
    store.set_description(KEY, "Drie praktijken zeiden nee. Mijn dochter heeft astma.")
    case = store.consent(KEY)
    with Session(db) as session:
        texts = [m.text for m in session.get(Case, case.id).messages]
    assert texts[-1] == "Drie praktijken zeiden nee. Mijn dochter heeft astma."


def test_the_persons_later_messages_reopen_an_answered_case(db):
    store, desk = CaseStore(db), Casework(db)
    offer(store)
    case = store.consent(KEY)
    desk.view(case.id, "anna")
    desk.answer(case.id, "anna", None, "Bel de huisartsenpraktijk aan de Kerkstraat.")
    assert store.attached_case(KEY).status == "answered"
    store.add_person_message(case.id, "Die zegt ook nee")
    with Session(db) as session:
        row = session.get(Case, case.id)
        assert (row.status, row.unread) == ("in_progress", True)


def test_staff_answers_and_closing_queue_messages_for_the_person(db):
    store, desk = CaseStore(db), Casework(db)
    offer(store, language="ar")
    case = store.consent(KEY)
    message_id = desk.answer(case.id, "anna", None, "U kunt morgen langskomen.")
    desk.close(case.id, "anna")
    with Session(db) as session:
        deliveries = session.scalars(
            select(OutboxItem).where(OutboxItem.kind == "deliver").order_by(OutboxItem.id)
        ).all()
    assert [(d.dedupe_key, d.payload["message"], d.payload["language"]) for d in deliveries] == [
        (f"answer:{message_id}", "staff_answer", "ar"),
        (f"closed:{case.id}", "case_closed", "ar"),
    ]
    assert store.attached_case(KEY) is None
    with pytest.raises(CaseClosed):
        desk.answer(case.id, "anna", None, "Nog iets")
    actions = [a["action"] for a in desk.view(case.id, "anna").audit]
    assert actions == ["answered", "closed", "viewed"]


def test_the_queue_filters_and_keeps_closed_cases_out_by_default(db):
    store, desk = CaseStore(db), Casework(db)
    offer(store, "web:a", language="ar", group="asielzoeker", topic_intent="housing_allocation")
    offer(store, "web:b", language="uk", group="oekraiens", topic_intent="health_find_gp")
    a, b = store.consent("web:a"), store.consent("web:b")
    desk.close(b.id, "anna")
    assert [r.reference for r in desk.queue(QueueFilter())] == [a.reference]
    assert [r.reference for r in desk.queue(QueueFilter(status="closed"))] == [b.reference]
    assert desk.queue(QueueFilter(language="uk")) == []
    assert [r.topic for r in desk.queue(QueueFilter(topic="housing"))] == ["housing"]
    assert desk.queue(QueueFilter(older_than_hours=1)) == []
    with Session(db) as session, session.begin():
        session.execute(
            update(Case).values(
                created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)
            )
        )
    assert [r.reference for r in desk.queue(QueueFilter(older_than_hours=1))] == [a.reference]


def test_closed_cases_are_deleted_after_the_retention_time_and_open_ones_kept(db):
    store, desk = CaseStore(db), Casework(db)
    for key in ("web:old", "web:open"):
        offer(store, key)
        store.consent(key)
    old = store.cases_of("web:old")[0]
    desk.close(old.id, "anna")
    assert store.purge(dt.timedelta(days=30)) == 0
    with Session(db) as session, session.begin():
        session.execute(
            update(Case)
            .where(Case.id == old.id)
            .values(closed_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=31))
        )
    assert store.purge(dt.timedelta(days=30)) == 1
    assert store.cases_of("web:old") == []
    assert len(store.cases_of("web:open")) == 1
    assert count(db, CaseMessage) == 1
    # The anonymous counts stay: they hold no personal data.
    assert count(db, InsightCount) == 1


def test_a_person_can_erase_everything_about_themselves(db):
    store = CaseStore(db)
    with Session(db) as session, session.begin():
        session.add(Conversation(key=KEY, language="ar"))
    offer(store)
    case = store.consent(KEY)
    store.add_person_message(case.id, "Mijn adres is ...")
    offer(store, "web:someone-else")
    store.consent("web:someone-else")

    assert store.erase_person(KEY) == 1
    assert store.cases_of(KEY) == [] and store.offer(KEY) is None
    assert count(db, Conversation, Conversation.key == KEY) == 0
    assert count(db, CaseMessage) == 1  # only the other person's
    assert count(db, OutboxItem) == 1
    assert len(store.cases_of("web:someone-else")) == 1


def test_insight_counts_add_up_per_week_and_dimension(db):
    store = CaseStore(db)
    for key in ("web:1", "web:2"):
        offer(store, key)
        store.consent(key)
    store.count_fallback("health_find_gp", None, "tr")
    rows = {(r["kind"], r["language"]): r["count"] for r in Casework(db).insight()}
    assert rows == {("handover", "nl"): 2, ("fallback", "tr"): 1}


def test_a_chat_in_use_keeps_its_language_past_the_retention_time_an_idle_one_not(db):
    memory = LanguageMemory(db)
    for key in ("web:in-use", "web:idle"):
        memory.remember(key, "ar", "ar")
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200)
    with Session(db) as session, session.begin():
        session.execute(update(Conversation).values(updated_at=long_ago))
    assert memory.recall("web:in-use") == ("ar", "ar")  # the person writes again today
    CaseStore(db).purge(dt.timedelta(days=90))
    assert memory.recall("web:in-use") == ("ar", "ar")
    assert memory.recall("web:idle") == (None, None)
