"""Handovers end to end: a chat message, consent, a case, the team's e-mail, a staff answer back
in the same chat. Real engine (trained model), real app, real SMTP peer, over HTTP.

Staff answers are given with the case service on the app's own database here; the desk's pages
for the same steps are driven in a browser in test_desk_browser.py.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from bot.casework import Casework
from bot.db import Case, CaseMessage, Conversation, OutboxItem
from bot.stack import Stack, isolated_settings
from bot.tracker_erase import sqlalchemy_url
from core.i18n import translate
from tests.waiting import wait_for

pytestmark = pytest.mark.engine

REFERENCE = re.compile(r"W-\d{6}")
OFFER_BUTTONS = ["/handover_consent", "/handover_describe", "/handover_decline"]


def new_sender() -> str:
    return f"handover-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def app_db(stack):
    engine = create_engine(stack.settings.database_url)
    yield engine
    engine.dispose()


def payloads(message: dict) -> list[str]:
    return [b["payload"] for b in message["buttons"]]


def offer_in(replies: list[dict]) -> dict:
    """The consent question among the replies (the one with the three consent buttons)."""
    return next(m for m in replies if payloads(m) == OFFER_BUTTONS)


def cases_of(app_db, sender: str) -> list[Case]:
    with Session(app_db) as session:
        return list(session.scalars(select(Case).where(Case.conversation_key == f"web:{sender}")))


def test_after_an_answer_a_person_is_offered_and_nothing_is_sent_before_yes(stack, app_db):
    sender = new_sender()
    stack.say(sender, '/choose_group{"group": "statushouder"}')
    stack.say(sender, "Ik kan nergens een huisarts vinden, alle praktijken zitten vol")
    offer = offer_in(stack.say(sender, "/request_human")["replies"])
    assert "Ik stuur niets zonder jouw ja" in offer["text"]
    assert "een medewerker van de gemeente" in offer["text"]  # the team name is a placeholder
    assert cases_of(app_db, sender) == []

    declined = stack.say(sender, "/handover_decline")["replies"][0]
    assert declined["text"].startswith("Goed, ik stuur niets door")
    assert stack.say(sender, "/handover_consent")["replies"][0]["text"].startswith(
        "Ik heb geen vraag meer"
    )
    assert cases_of(app_db, sender) == []


def test_consent_creates_a_case_with_the_question_and_the_team_gets_an_email(
    stack, app_db, session_smtp_peer
):
    sender = new_sender()
    stack.say(sender, '/choose_group{"group": "statushouder"}')
    stack.say(sender, "Ik kan nergens een huisarts vinden, alle praktijken zitten vol")
    offer_in(stack.say(sender, "/request_human")["replies"])
    prompt = stack.say(sender, "/handover_describe")["replies"][0]
    assert prompt["text"].startswith("Schrijf in één bericht kort wat je vraag is")
    confirm = stack.say(sender, "Drie praktijken zeiden nee, ze nemen niemand meer aan.")
    assert "ze nemen niemand meer aan" in confirm["replies"][0]["text"]
    created = stack.say(sender, "/handover_consent")["replies"][0]
    reference = REFERENCE.search(created["text"]).group(0)
    assert "Het antwoord komt in deze chat" in created["text"]

    [case] = cases_of(app_db, sender)
    assert (case.reference, case.status, case.language, case.group) == (
        reference,
        "new",
        "nl",
        "statushouder",
    )
    assert case.question == "Ik kan nergens een huisarts vinden, alle praktijken zitten vol"
    assert case.description == "Drie praktijken zeiden nee, ze nemen niemand meer aan."
    assert (case.topic_intent, case.topic, case.reason) == (
        "health_find_gp",
        "healthcare",
        "condition",
    )
    assert case.candidates[0]["intent"] == "health_find_gp"
    assert any(line["from"] == "bot" for line in case.excerpt)

    mail = wait_for(
        lambda: next((m for m in session_smtp_peer.messages if reference in m["Subject"]), None)
    )
    assert f"/desk/cases/{case.id}" in mail.get_content()
    assert "praktijken" not in mail.get_content() and "huisarts" not in mail.get_content()
    # A double tap on "yes" does not make a second case.
    again = stack.say(sender, "/handover_consent")["replies"][0]
    assert reference in again["text"] and len(cases_of(app_db, sender)) == 1


def test_the_persons_next_messages_go_into_the_case_and_a_crisis_still_gets_112_first(
    stack, app_db
):
    sender = new_sender()
    stack.say(sender, "Ik wil met een mens praten")
    stack.say(sender, "/handover_consent")
    [case] = cases_of(app_db, sender)

    added = stack.say(sender, "Ik heb ook een brief van de belastingdienst gekregen")["replies"]
    assert added[0]["text"].startswith(f"Ik heb je bericht bij je vraag {case.reference} gezet")
    crisis = stack.say(sender, "mijn kamergenoot bedreigt mij met een mes")["replies"]
    assert "112" in crisis[0]["text"]
    assert crisis[-1]["text"].startswith("Ik heb je bericht bij je vraag")

    with Session(app_db) as session:
        messages = session.scalars(
            select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id)
        ).all()
    assert [(m.text, m.crisis) for m in messages[-2:]] == [
        ("Ik heb ook een brief van de belastingdienst gekregen", False),
        ("mijn kamergenoot bedreigt mij met een mes", True),
    ]

    back = stack.say(sender, "/case_detach")["replies"][0]
    assert back["text"].startswith("Goed, je praat weer met de bot")
    answer = stack.say(sender, "wie is mijn contactpersoon")["replies"][0]
    assert "bij je vraag" not in answer["text"]


def test_a_staff_answer_comes_back_in_the_same_chat_in_the_persons_language(stack, app_db):
    sender = new_sender()
    stack.say(sender, '/choose_language{"language": "ar"}')
    replies = stack.say(sender, "أريد التحدث مع موظف من البلدية")["replies"]
    offer = offer_in(replies)
    assert offer["text"] != "" and "Ik stuur" not in offer["text"]
    created = stack.say(sender, "/handover_consent")["replies"][0]
    reference = REFERENCE.search(created["text"]).group(0)
    [case] = cases_of(app_db, sender)

    Casework(app_db).answer(case.id, "anna", None, "U kunt dinsdag om 10 uur langskomen.")
    [message] = wait_for(lambda: stack.inbox(sender))
    template = "Antwoord van de gemeente {gemeente} op je vraag {reference}:\n\n{answer}"
    assert message["text"] == translate(template, "ar").format(
        gemeente="Den Helder", reference=reference, answer="U kunt dinsdag om 10 uur langskomen."
    )
    assert "/case_reply" in payloads(message)

    status = stack.say(sender, "/status")["replies"][0]["text"]
    assert (
        f"{reference}: {translate('beantwoord, het antwoord staat in deze chat', 'ar')}" in status
    )

    Casework(app_db).close(case.id, "anna")
    closed = wait_for(lambda: stack.inbox(sender, after=message["id"]))
    assert reference in closed[0]["text"]


def test_status_can_be_asked_in_own_words(stack, app_db):
    sender = new_sender()
    assert stack.say(sender, "/status")["replies"][0]["text"].startswith(
        "Je hebt nu geen vraag bij een medewerker"
    )
    stack.say(sender, "Ik wil met een mens praten")
    reference = REFERENCE.search(stack.say(sender, "/handover_consent")["replies"][0]["text"])
    stack.say(sender, "/case_detach")
    status = stack.say(sender, "heb ik al antwoord op mijn vraag?")["replies"][0]["text"]
    assert f"{reference.group(0)}: ontvangen, nog niet gelezen" in status


def test_not_understood_twice_in_a_row_offers_a_person(stack):
    sender = new_sender()
    first = stack.say(sender, "/nlu_fallback")["replies"]
    assert not any(payloads(m) == OFFER_BUTTONS for m in first)
    second = stack.say(sender, "/nlu_fallback")["replies"]
    assert second[0]["text"].startswith("Sorry, ik begrijp je vraag nog steeds niet")
    offer_in(second)


def test_a_complaint_is_answered_and_then_a_handover_offered(stack):
    sender = new_sender()
    stack.say(sender, '/choose_group{"group": "asielzoeker"}')
    replies = stack.say(sender, "/complaint")["replies"]
    assert "klachten@coa.nl" in replies[0]["text"]
    offer_in(replies)


def test_a_person_erases_everything_with_one_command(stack, app_db):
    sender = new_sender()
    key = f"web:{sender}"
    stack.say(sender, "Ik wil met een mens praten")
    stack.say(sender, "/handover_consent")
    [case] = cases_of(app_db, sender)

    confirm = stack.say(sender, "/wissen")["replies"][0]
    assert "/erase_confirm" in payloads(confirm)
    assert len(cases_of(app_db, sender)) == 1  # nothing is erased before the confirmation
    erased = stack.say(sender, "/erase_confirm")["replies"][0]
    assert erased["text"].startswith("Alles is gewist")

    assert cases_of(app_db, sender) == []
    with Session(app_db) as session:
        assert session.get(Conversation, key) is None
        outbox = select(func.count()).select_from(OutboxItem).where(OutboxItem.case_id == case.id)
        assert session.scalar(outbox) == 0
    tracker = create_engine(sqlalchemy_url(stack.settings.tracker_store_url))
    with tracker.connect() as connection:
        events = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :key"), {"key": key}
        ).scalar()
    tracker.dispose()
    assert events == 0


def test_when_the_engine_is_down_the_question_can_still_be_left_for_staff(tmp_path):
    stack = Stack(isolated_settings(tmp_path))
    stack.start_app()  # no engine
    try:
        replies = stack.say("engine-down", "Mijn huurbaas wil dat ik morgen vertrek")["replies"]
        assert replies[0]["text"].startswith("Sorry, ik kan nu even niet antwoorden")
        offer_in(replies)
        created = stack.say("engine-down", "/handover_consent")["replies"][0]
        assert REFERENCE.search(created["text"])
        db = create_engine(stack.settings.database_url)
        with Session(db) as session:
            case = session.scalars(select(Case)).one()
        db.dispose()
        assert (case.question, case.reason) == (
            "Mijn huurbaas wil dat ik morgen vertrek",
            "engine_unavailable",
        )
    finally:
        stack.stop()


def test_the_logs_hold_no_message_text_and_no_identifiers(stack):
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    marker = "Zorgvuldigheidsproef"
    stack.say(sender, f"Ik wil met een mens praten over {marker}")
    stack.say(sender, "/handover_describe")
    stack.say(sender, f"{marker}: mijn adres is Dorpsstraat 1")
    stack.say(sender, "/handover_consent")
    stack.say(sender, f"Nog iets over {marker}")
    stack.say(sender, "/wissen")
    stack.say(sender, "/erase_confirm")
    for log in ("app.log", "engine.log"):
        text = (stack.settings.var_dir / log).read_text(encoding="utf-8", errors="replace")
        assert marker not in text and "Dorpsstraat" not in text, log
        assert sender not in text, log


def test_choosing_something_else_instead_of_describing_keeps_the_bot_answering(stack, app_db):
    sender = new_sender()
    stack.say(sender, "Ik wil met een mens praten")
    stack.say(sender, "/handover_describe")
    stack.say(sender, "/main_menu")
    answer = stack.say(sender, "wie is mijn contactpersoon")["replies"][0]["text"]
    assert "Dit stuur ik mee" not in answer
    assert cases_of(app_db, sender) == []


def test_asking_for_a_person_with_a_case_open_adds_to_that_case_instead_of_a_new_one(
    stack, app_db
):
    sender = new_sender()
    stack.say(sender, "Ik wil met een mens praten")
    stack.say(sender, "/handover_consent")
    [case] = cases_of(app_db, sender)
    again = stack.say(sender, "/request_human")["replies"][0]
    assert again["text"] == f"Schrijf je reactie. Ik zet het bij je vraag {case.reference}."
    stack.say(sender, "Hebben jullie mijn vraag gezien?")
    assert len(cases_of(app_db, sender)) == 1
