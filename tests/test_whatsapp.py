"""The WhatsApp channel end to end: Meta's webhook (signed like Meta signs it) into the real app
and engine, replies out to a fake Graph API on loopback; staff answers through the outbox, inside
and outside WhatsApp's 24-hour customer-service window.

Message formatting and the window rules without an engine are tested at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import time
import uuid

import anyio
import httpx
import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from bot import outbox
from bot.casework import Casework
from bot.channels import whatsapp_format as fmt
from bot.channels.whatsapp import (
    NOTE_INVITED,
    NOTE_NO_TEMPLATE,
    WhatsAppChannel,
    inbound_of,
    signature_ok,
)
from bot.db import (
    Case,
    CaseMessage,
    Conversation,
    InboundSeen,
    OutboxItem,
    WhatsAppWindow,
    make_engine,
    now,
)
from bot.engine_client import BotMessage
from bot.stack import Stack, isolated_settings
from core.i18n import translate
from core.languages import NATIVE_NAMES
from tests.fake_graph import WINDOW_CLOSED, FakeGraph
from tests.scripts import written_in
from tests.waiting import wait_for

TOKEN = "test-access-token"
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
TEMPLATE = "wegwijs_weer_schrijven"
OFFER_BUTTONS = ["/handover_consent", "/handover_describe", "/handover_decline"]


# ------------------------------------------------------------------ helpers: Meta's side


def new_number() -> str:
    """A WhatsApp id (wa_id) of a person: digits, unique per test."""
    return f"316{random.randrange(10**7, 10**8)}"


def new_message_id() -> str:
    return f"wamid.HBgL{uuid.uuid4().hex.upper()}="


def text_message(number: str, text: str, message_id: str | None = None) -> dict:
    return {
        "from": number,
        "id": message_id or new_message_id(),
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }


def button_reply(number: str, payload: str, title: str = "Knop") -> dict:
    return {
        "context": {"from": "15550783881", "id": new_message_id()},
        "from": number,
        "id": new_message_id(),
        "timestamp": str(int(time.time())),
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": payload, "title": title}},
    }


def list_reply(number: str, payload: str, title: str = "Rij") -> dict:
    return {
        "context": {"from": "15550783881", "id": new_message_id()},
        "from": number,
        "id": new_message_id(),
        "timestamp": str(int(time.time())),
        "type": "interactive",
        "interactive": {
            "type": "list_reply",
            "list_reply": {"id": payload, "title": title, "description": ""},
        },
    }


def image_message(number: str) -> dict:
    return {
        "from": number,
        "id": new_message_id(),
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {
            "caption": "kijk",
            "mime_type": "image/jpeg",
            "sha256": "HgYJMSaEIvHbCeNeRsNBlC0hhGgBmqOTXjKAZdkkjOU=",
            "id": "1003383421387256",
        },
    }


def notification(messages: list[dict] = (), statuses: list[dict] = ()) -> dict:
    """A webhook notification exactly as Meta posts it."""
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        value["contacts"] = [
            {"profile": {"name": "Sheena Nelson"}, "wa_id": m["from"]} for m in messages
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def status_update(number: str) -> dict:
    return {
        "id": new_message_id(),
        "status": "delivered",
        "timestamp": str(int(time.time())),
        "recipient_id": number,
        "conversation": {"id": "CONVERSATION_ID", "origin": {"type": "service"}},
        "pricing": {"billable": True, "pricing_model": "PMP", "category": "service"},
    }


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(stack, payload, signature: str | None = "sign", raw: bytes | None = None):
    """POST a notification to the app's webhook as Meta does (signed unless told otherwise)."""
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"content-type": "application/json"}
    if signature == "sign":
        headers["x-hub-signature-256"] = sign(body)
    elif signature is not None:
        headers["x-hub-signature-256"] = signature
    return httpx.post(
        f"{stack.settings.app_url}/webhooks/whatsapp", content=body, headers=headers, timeout=60
    )


def say(stack, message: dict) -> None:
    response = post(stack, notification([message]))
    assert response.status_code == 200, response.text


# ------------------------------------------------------------------ helpers: what was sent


def body_text(sent: dict) -> str:
    if sent["type"] == "text":
        return sent["text"]["body"]
    if sent["type"] == "interactive":
        return sent["interactive"]["body"]["text"]
    return ""


def ids(sent: dict) -> list[str]:
    interactive = sent.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [b["reply"]["id"] for b in action["buttons"]]
    if interactive.get("type") == "list":
        return [row["id"] for s in action["sections"] for row in s["rows"]]
    return []


def rows(sent: dict) -> list[dict]:
    return [row for s in sent["interactive"]["action"]["sections"] for row in s["rows"]]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def graph():
    fake = FakeGraph(TOKEN, PHONE_NUMBER_ID).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def wa_stack(tmp_path_factory, graph):
    """Engine and app with the WhatsApp channel pointed at the fake Graph API."""
    settings = isolated_settings(
        tmp_path_factory.mktemp("whatsapp"),
        whatsapp_token=TOKEN,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_api_url=graph.base_url,
        whatsapp_reopen_template=TEMPLATE,
        outbox_poll_seconds=0.2,
    )
    running = Stack(settings).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def app_db(wa_stack):
    engine = create_engine(wa_stack.settings.database_url)
    yield engine
    engine.dispose()


def stored(app_db, number: str, message_id: str) -> dict:
    with Session(app_db) as session:
        return {
            "conversation": session.get(Conversation, f"whatsapp:{number}") is not None,
            "seen": session.scalar(
                select(InboundSeen.id).where(
                    InboundSeen.channel == "whatsapp", InboundSeen.external_id == message_id
                )
            )
            is not None,
            "window": session.get(WhatsAppWindow, f"whatsapp:{number}") is not None,
        }


NOTHING = {"conversation": False, "seen": False, "window": False}


def open_case(wa_stack, graph, number: str) -> Case:
    """Ask for a person and agree, through WhatsApp buttons; returns the case."""
    say(wa_stack, button_reply(number, "/request_human"))
    say(wa_stack, button_reply(number, "/handover_consent"))
    created = graph.to(number)[-1]
    assert "W-" in body_text(created)
    engine = create_engine(wa_stack.settings.database_url)
    try:
        with Session(engine) as session:
            return session.scalars(
                select(Case).where(Case.conversation_key == f"whatsapp:{number}")
            ).one()
    finally:
        engine.dispose()


def notes_of(app_db, case_id: int) -> list[str]:
    with Session(app_db) as session:
        return list(
            session.scalars(
                select(CaseMessage.text).where(
                    CaseMessage.case_id == case_id, CaseMessage.author == "system"
                )
            )
        )


# ------------------------------------------------------------------ handshake


@pytest.mark.engine
def test_the_handshake_answers_the_challenge_only_with_the_right_token(wa_stack):
    url = f"{wa_stack.settings.app_url}/webhooks/whatsapp"
    ok = httpx.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert ok.headers["content-type"].startswith("text/plain")
    wrong = httpx.get(
        url, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403 and "1" not in wrong.text
    other_mode = httpx.get(
        url,
        params={"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    )
    assert other_mode.status_code == 403


# ------------------------------------------------------------------ conversations


@pytest.mark.engine
def test_an_arabic_text_gets_an_arabic_reply_and_opens_the_window(wa_stack, graph, app_db):
    number = new_number()
    message = text_message(number, "مرحبا، أحتاج طبيب")
    say(wa_stack, message)
    sent = graph.to(number)
    assert sent and all(m["messaging_product"] == "whatsapp" for m in sent)
    assert all(written_in(body_text(m), "ARABIC") for m in sent if body_text(m))
    assert stored(app_db, number, message["id"]) == dict.fromkeys(NOTHING, True)
    with Session(app_db) as session:
        window = session.get(WhatsAppWindow, f"whatsapp:{number}")
        last = window.last_inbound_at.replace(tzinfo=dt.timezone.utc)
        assert now() - last < dt.timedelta(minutes=1) and window.invited_at is None


@pytest.mark.engine
def test_more_than_three_buttons_become_a_list_within_whatsapps_limits(wa_stack, graph):
    number = new_number()
    say(wa_stack, list_reply(number, "/topics_rights"))  # 11 buttons in domain.yml
    [sent] = graph.to(number)
    interactive = sent["interactive"]
    assert (sent["type"], interactive["type"]) == ("interactive", "list")
    assert len(rows(sent)) == 10  # the first 10 of 11
    assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows(sent))
    assert interactive["action"]["button"] == "Menu"
    assert len(interactive["body"]["text"]) <= 1024

    say(wa_stack, button_reply(number, "/topics_menu"))  # 8 buttons, one title of 24 characters
    menu = graph.to(number)[-1]
    assert ids(menu)[-1] == "/main_menu" and len(ids(menu)) == 8
    assert all(len(r["title"]) <= 24 for r in rows(menu))


@pytest.mark.engine
def test_the_language_menu_is_a_list_of_five_and_a_choice_is_handled_as_its_payload(
    wa_stack, graph
):
    number = new_number()
    say(wa_stack, text_message(number, "/language"))
    menu = graph.to(number)[-1]
    assert menu["interactive"]["type"] == "list"
    languages = ("ar", "uk", "tr", "ti", "nl")
    assert ids(menu) == [f'/choose_language{{"language": "{c}"}}' for c in languages]
    assert [r["title"] for r in rows(menu)] == [NATIVE_NAMES[c] for c in languages]

    before = len(graph.to(number))
    say(wa_stack, list_reply(number, '/choose_language{"language": "uk"}', "Українська"))
    chosen = graph.to(number)[before:]
    assert chosen and written_in(body_text(chosen[0]), "CYRILLIC")
    # Lists in Ukrainian open with the Ukrainian word for the menu button.
    lists = [m for m in chosen if m.get("interactive", {}).get("type") == "list"]
    assert lists and lists[0]["interactive"]["action"]["button"] == translate("Menu", "uk")[:20]


@pytest.mark.engine
def test_three_buttons_are_reply_buttons_with_titles_of_at_most_20_characters(wa_stack, graph):
    number = new_number()
    say(wa_stack, button_reply(number, "/request_human", "Een mens spreken"))
    offer = next(m for m in graph.to(number) if ids(m) == OFFER_BUTTONS)
    assert offer["interactive"]["type"] == "button"
    titles = [b["reply"]["title"] for b in offer["interactive"]["action"]["buttons"]]
    assert all(len(t) <= 20 for t in titles)
    assert titles[1].endswith("…") and titles[1].startswith("Eerst iets erbij")  # 26 characters
    assert "Ik stuur niets zonder jouw ja" in body_text(offer)


@pytest.mark.engine
def test_statuses_are_consumed_without_a_reply(wa_stack, graph, app_db):
    number = new_number()
    response = post(wa_stack, notification(statuses=[status_update(number)]))
    assert response.status_code == 200
    time.sleep(0.5)
    assert graph.to(number) == []
    with Session(app_db) as session:
        assert session.get(Conversation, f"whatsapp:{number}") is None


@pytest.mark.engine
def test_an_image_gets_the_friendly_text_only_reply(wa_stack, graph):
    number = new_number()
    say(wa_stack, image_message(number))
    [reply] = graph.to(number)
    assert body_text(reply).startswith("Ik kan alleen tekst lezen")
    assert "112" in body_text(reply)


@pytest.mark.engine
def test_the_same_message_id_twice_gets_one_reply(wa_stack, graph):
    number = new_number()
    message = text_message(number, "Wie is mijn contactpersoon?")
    say(wa_stack, message)
    first = len(graph.to(number))
    assert first >= 1
    say(wa_stack, message)  # Meta retries the notification
    time.sleep(0.3)
    assert len(graph.to(number)) == first


# ------------------------------------------------------------------ refused requests


@pytest.mark.engine
@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "forged", "sign-other-secret"])
def test_requests_without_a_valid_signature_are_refused_and_leave_nothing(
    wa_stack, graph, app_db, signature
):
    number = new_number()
    message = text_message(number, "Hallo")
    payload = notification([message])
    if signature == "sign-other-secret":
        signature = sign(json.dumps(payload).encode(), "not-the-app-secret")
    response = post(wa_stack, payload, signature=signature)
    assert response.status_code == 401
    time.sleep(0.3)
    assert graph.to(number) == []
    assert stored(app_db, number, message["id"]) == NOTHING


@pytest.mark.engine
def test_a_body_over_one_megabyte_is_refused_with_413(wa_stack, graph, app_db):
    number = new_number()
    message = text_message(number, "x" * (1024 * 1024))
    response = post(wa_stack, notification([message]))  # validly signed, still too big
    assert response.status_code == 413
    assert graph.to(number) == []
    assert stored(app_db, number, message["id"]) == NOTHING


@pytest.mark.engine
def test_malformed_json_is_refused_with_400(wa_stack, graph, app_db):
    number = new_number()
    message = text_message(number, "Hallo")
    raw = json.dumps(notification([message])).encode()[:-3]  # cut off: no longer JSON
    response = post(wa_stack, None, raw=raw)
    assert response.status_code == 400
    assert graph.to(number) == []
    assert stored(app_db, number, message["id"]) == NOTHING


@pytest.mark.engine
def test_a_failing_graph_api_costs_the_reply_but_meta_still_gets_200(wa_stack, graph):
    number = new_number()
    graph.fail_next(number)
    say(wa_stack, text_message(number, "Hallo"))  # the 500 is logged, not passed on to Meta
    assert graph.to(number) == []
    say(wa_stack, text_message(number, "Hallo"))  # the person writes again and is answered
    assert graph.to(number)


# ------------------------------------------------------------------ staff answers (the outbox)


@pytest.mark.engine
def test_a_staff_answer_within_the_window_is_delivered(wa_stack, graph, app_db):
    number = new_number()
    case = open_case(wa_stack, graph, number)
    before = len(graph.to(number))
    graph.fail_next(number)  # the first try fails: the outbox tries again
    Casework(app_db).answer(case.id, "anna", None, "U kunt dinsdag om 10 uur langskomen.")
    answer = graph.wait_for(number, lambda sent: sent[before:] and sent[-1])
    assert "U kunt dinsdag om 10 uur langskomen." in body_text(answer)
    assert case.reference in body_text(answer)
    assert answer["interactive"]["type"] == "button"
    assert ids(answer) == ["/case_reply", "/main_menu"]
    # The fake records the message before the worker has marked it done: wait for that too.
    delivery = wait_for(lambda: _done_delivery(app_db, case.id))
    assert (delivery.status, delivery.attempts) == ("done", 1)
    assert delivery.last_error == "GraphError"


def _done_delivery(app_db, case_id: int) -> OutboxItem | None:
    with Session(app_db) as session:
        items = session.scalars(select(OutboxItem).where(OutboxItem.case_id == case_id)).all()
    return next((i for i in items if i.kind == "deliver" and i.status == "done"), None)


@pytest.mark.engine
def test_a_closed_window_sends_the_template_once_and_the_answer_when_the_person_writes(
    wa_stack, graph, app_db
):
    number = new_number()
    key = f"whatsapp:{number}"
    case = open_case(wa_stack, graph, number)
    with Session(app_db) as session, session.begin():
        session.execute(
            update(WhatsAppWindow)
            .where(WhatsAppWindow.conversation_key == key)
            .values(last_inbound_at=now() - dt.timedelta(hours=25))
        )
    before = len(graph.to(number))
    Casework(app_db).answer(case.id, "anna", None, "Uw afspraak is verzet naar vrijdag.")

    [invitation] = graph.wait_for(number, lambda sent: sent[before:])
    assert invitation["type"] == "template"
    assert invitation["template"] == {"name": TEMPLATE, "language": {"code": "nl"}}
    wait_for(lambda: NOTE_INVITED in notes_of(app_db, case.id))  # staff see it in the desk
    with Session(app_db) as session:
        assert session.get(WhatsAppWindow, key).invited_at is not None

    # Tried again before the person wrote: no second invitation, no answer, one note.
    outbox.hurry(app_db, key)
    time.sleep(1.5)
    assert len(graph.to(number)) == before + 1
    assert notes_of(app_db, case.id).count(NOTE_INVITED) == 1

    say(wa_stack, text_message(number, "Ik ben er weer"))
    answer = graph.wait_for(
        number,
        lambda sent: next(
            (m for m in sent if "Uw afspraak is verzet naar vrijdag." in body_text(m)), None
        ),
    )
    assert answer["type"] == "interactive"
    assert [m["type"] for m in graph.to(number)].count("template") == 1


# ------------------------------------------------------------------ without an engine: formats


def test_signature_checks_the_hmac_of_the_raw_body():
    body = b'{"object": "whatsapp_business_account"}'
    assert signature_ok(APP_SECRET, body, sign(body))
    assert signature_ok(APP_SECRET, body, sign(body).upper().replace("SHA256=", "sha256="))
    assert not signature_ok(APP_SECRET, body + b" ", sign(body))
    assert not signature_ok(APP_SECRET, body, None)
    assert not signature_ok(None, body, sign(body))
    assert not signature_ok(APP_SECRET, body, sign(body).removeprefix("sha256="))


def test_inbound_kinds():
    number = "31612345678"
    assert inbound_of(text_message(number, "  hallo ")) == ("text", "hallo")
    assert inbound_of(button_reply(number, "/case_status")) == ("text", "/case_status")
    assert inbound_of(list_reply(number, "/topics_work")) == ("text", "/topics_work")
    assert inbound_of(image_message(number)) == ("unsupported", "")
    for kind in ("audio", "video", "document", "sticker", "location", "contacts", "unsupported"):
        assert inbound_of({"type": kind, kind: {}}) == ("unsupported", "")
    assert inbound_of({"type": "reaction", "reaction": {"emoji": "👍"}}) is None
    assert inbound_of({"type": "request_welcome"}) == ("text", "/start")
    template_reply = {"type": "button", "button": {"text": "Ja", "payload": "Ja"}}
    assert inbound_of(template_reply) == ("text", "Ja")


def test_long_text_is_split_at_paragraphs_and_the_last_part_carries_the_buttons():
    paragraph = "Dit is een lange zin over de huisarts en de apotheek. " * 15
    text = "\n\n".join([paragraph.strip()] * 8)  # about 6500 characters
    message = BotMessage(text, (("Ja", "/yes"), ("Nee", "/no")))
    bodies = fmt.message_bodies("31612345678", message, "Menu")
    *leading, last = bodies
    assert leading and all(b["type"] == "text" for b in leading)
    assert all(len(b["text"]["body"]) <= 4096 for b in leading)
    assert last["type"] == "interactive" and len(body_text(last)) <= 1024
    assert all(body_text(b).endswith(".") for b in bodies)  # cut between paragraphs
    joined = " ".join(" ".join(body_text(b).split()) for b in bodies)
    assert joined == " ".join(text.split())  # nothing lost

    plain = fmt.message_bodies("31612345678", BotMessage("woord " * 1500), "Menu")
    assert len(plain) == 3 and all(len(body_text(b)) <= 4096 for b in plain)
    assert all(not body_text(b).startswith(" ") and "woor " not in body_text(b) for b in plain)


def test_titles_are_cut_at_a_word_and_more_than_ten_buttons_keep_the_first_ten():
    buttons = tuple((f"Een heel lange knoptitel nummer {n} met meer", f"/b{n}") for n in range(12))
    [sent] = fmt.message_bodies("31612345678", BotMessage("Kies.", buttons), "القائمة")
    assert [r["id"] for r in rows(sent)] == [f"/b{n}" for n in range(10)]
    for n, row in enumerate(rows(sent)):
        assert len(row["title"]) <= 24 and "…" in row["title"]
        assert row["description"] == f"Een heel lange knoptitel nummer {n} met meer"
    assert len({r["title"] for r in rows(sent)}) == 10  # WhatsApp wants distinct titles
    assert sent["interactive"]["action"]["button"] == "القائمة"
    assert fmt.shorten("Eerst iets erbij schrijven", 20) == "Eerst iets erbij…"
    assert fmt.shorten("Kort", 20) == "Kort"


def test_a_payload_too_long_for_whatsapp_drops_that_button_only():
    message = BotMessage("Kies.", (("Goed", "/ok"), ("Te lang", "/x" + "y" * 300)))
    [sent] = fmt.message_bodies("31612345678", message, "Menu")
    assert ids(sent) == ["/ok"]


# ------------------------------------------------------------------ without an engine: the window


@pytest.fixture
def channel_db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    yield engine
    engine.dispose()


def make_channel(graph, db, tmp_path, **overrides) -> WhatsAppChannel:
    settings = isolated_settings(
        tmp_path,
        whatsapp_token=TOKEN,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_api_url=graph.base_url,
        **overrides,
    )
    return WhatsAppChannel(settings, None, db)


def remember(db, key: str, language: str, last_inbound: dt.datetime | None) -> None:
    with Session(db) as session, session.begin():
        session.add(Conversation(key=key, language=language))
        if last_inbound is not None:
            session.add(WhatsAppWindow(conversation_key=key, last_inbound_at=last_inbound))


async def _send(channel: WhatsAppChannel, key: str, message: BotMessage):
    try:
        return await channel.send(key, message)
    finally:
        await channel.stop()


def test_the_template_goes_out_in_the_persons_language(graph, channel_db, tmp_path):
    number = new_number()
    key = f"whatsapp:{number}"
    remember(channel_db, key, "ar", now() - dt.timedelta(hours=30))
    channel = make_channel(
        graph,
        channel_db,
        tmp_path,
        whatsapp_reopen_template=TEMPLATE,
        whatsapp_template_languages={"ar": "ar", "nl": "nl_NL"},
    )
    with pytest.raises(outbox.DeliveryDeferred) as deferred:
        anyio.run(_send, channel, key, BotMessage("Antwoord"))
    assert deferred.value.note == NOTE_INVITED and deferred.value.retry_after == 3600
    [invitation] = graph.to(number)
    assert invitation["template"]["language"] == {"code": "ar"}
    assert channel.template_language("tr") == "nl_NL"  # no Turkish template: the Dutch one


def test_without_a_template_the_answer_waits_and_nothing_is_sent(graph, channel_db, tmp_path):
    number = new_number()
    key = f"whatsapp:{number}"
    remember(channel_db, key, "nl", None)  # never wrote as far as we know
    channel = make_channel(graph, channel_db, tmp_path)
    with pytest.raises(outbox.DeliveryDeferred) as deferred:
        anyio.run(_send, channel, key, BotMessage("Antwoord"))
    assert deferred.value.note == NOTE_NO_TEMPLATE
    assert graph.to(number) == []


def test_when_meta_says_the_window_is_closed_the_person_is_invited(graph, channel_db, tmp_path):
    number = new_number()
    key = f"whatsapp:{number}"
    remember(channel_db, key, "uk", now() - dt.timedelta(hours=1))  # open, as far as we know
    channel = make_channel(graph, channel_db, tmp_path, whatsapp_reopen_template=TEMPLATE)
    graph.fail_next(number, WINDOW_CLOSED)
    with pytest.raises(outbox.DeliveryDeferred):
        anyio.run(_send, channel, key, BotMessage("Antwoord"))
    assert [m["type"] for m in graph.to(number)] == ["template"]
    with Session(channel_db) as session:
        assert session.get(WhatsAppWindow, key).invited_at is not None


def test_a_graph_error_in_the_outbox_path_is_raised_for_a_retry(graph, channel_db, tmp_path):
    number = new_number()
    key = f"whatsapp:{number}"
    remember(channel_db, key, "nl", now())
    channel = make_channel(graph, channel_db, tmp_path)
    graph.fail_next(number)
    with pytest.raises(Exception) as failed:
        anyio.run(_send, channel, key, BotMessage("Antwoord"))
    assert type(failed.value).__name__ == "GraphError" and failed.value.status == 500
    assert graph.to(number) == []
