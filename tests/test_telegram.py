"""The Telegram channel against a fake Telegram Bot API on loopback (tests/fake_telegram.py).

- Text splitting and callback_data payloads, on their own.
- The channel in this process, with a stand-in conversation service: long payloads through
  callback_data, flood limits and blocked chats when the outbox delivers.
- A whole Wegwijs (real engine, real app) in polling mode: the command menus in five languages,
  typed questions, /start, button presses, voice notes and other media, group chats, repeated
  updates, a flood limit, and staff answers (also one over Telegram's 4096 characters).
- The app in webhook mode: setWebhook with the secret; secret, size and body checks; replays.

Updates are JSON as Telegram sends it; every call the channel makes is checked at the fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time

import anyio
import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from telegram.error import RetryAfter

from bot import commands
from bot.casework import Casework, _queue_delivery
from bot.channels import telegram as telegram_channel
from bot.channels.telegram import TelegramChannel, TelegramNotReady
from bot.channels.telegram_text import (
    CALLBACK_DATA_LIMIT,
    MESSAGE_LIMIT,
    CallbackPayloads,
    split_text,
    utf16_length,
)
from bot.conversation import InboundMessage, Outcome
from bot.db import Case, make_engine
from bot.engine_client import BotMessage
from bot.outbox import DeliveryDeferred
from bot.processes import free_port
from bot.stack import Stack, isolated_settings
from core.config import ROOT, Settings
from core.domain_content import load_responses
from core.i18n import translate
from core.languages import SUPPORTED
from tests.conftest import write_team_profile
from tests.fake_telegram import BOT_USER, FakeTelegram
from tests.scripts import SCRIPT_OF, letters_in, written_in
from tests.smtp_peer import SmtpPeer
from tests.waiting import wait_for

TOKEN = "123:TEST"
SECRET = "s3cret-Wegwijs_webhook-2024"
RESPONSES = load_responses(ROOT / "domain.yml")
LANGUAGE_PAYLOADS = [b.payload for b in RESPONSES["utter_start"][0].buttons]
OFFER_BUTTONS = ["/handover_consent", "/handover_describe", "/handover_decline"]
engine = pytest.mark.engine
#: python-telegram-bot warns about RetryAfter's attribute type when it raises one.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

_update_ids = itertools.count(random.randint(10**8, 2 * 10**8))
_chat_ids = itertools.count(random.randint(10**8, 2 * 10**8))


# ------------------------------------------------------------- updates as Telegram sends them


def new_chat() -> int:
    """A new person: in a private chat, the chat id is the person's user id."""
    return next(_chat_ids)


def person(chat_id: int, language_code: str | None) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Amal", "last_name": "H."}
    if language_code:
        user["language_code"] = language_code
    return user


def private_chat(chat_id: int) -> dict:
    return {"id": chat_id, "first_name": "Amal", "last_name": "H.", "type": "private"}


def message_update(
    chat_id: int,
    text: str | None = None,
    language_code: str | None = "nl",
    chat: dict | None = None,
    **content,
) -> dict:
    message = {
        "message_id": random.randint(1, 10**6),
        "from": person(chat_id, language_code),
        "chat": chat or private_chat(chat_id),
        "date": int(time.time()),
        **content,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    return {"update_id": next(_update_ids), "message": message}


def button_update(
    chat_id: int, data: str, language_code: str | None = "nl", keyboard=None
) -> dict:
    """A press on an inline button under one of the bot's messages."""
    message = {
        "message_id": random.randint(1, 10**6),
        "from": BOT_USER,
        "chat": private_chat(chat_id),
        "date": int(time.time()),
        "text": "…",
    }
    if keyboard is not None:
        message["reply_markup"] = keyboard
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(random.randint(10**17, 10**18)),
            "from": person(chat_id, language_code),
            "message": message,
            "chat_instance": str(-random.randint(10**17, 10**18)),
            "data": data,
        },
    }


MEDIA = {
    "voice": {
        "voice": {
            "file_id": "AwACAgQAAxkBAAIBZ2VoaWNvZGU",
            "file_unique_id": "AgADvQ8AAnvN",
            "duration": 4,
            "mime_type": "audio/ogg",
            "file_size": 10342,
        }
    },
    "photo": {
        "photo": [
            {
                "file_id": "AgACAgQAAxkBAAIBa",
                "file_unique_id": "AQADs",
                "file_size": 1402,
                "width": 90,
                "height": 67,
            },
            {
                "file_id": "AgACAgQAAxkBAAIBb",
                "file_unique_id": "AQADt",
                "file_size": 20712,
                "width": 320,
                "height": 240,
            },
        ]
    },
    "sticker": {
        "sticker": {
            "file_id": "CAACAgIAAxkBAAIBc",
            "file_unique_id": "AgADfQA",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "set_name": "HotCherry",
            "file_size": 24354,
        }
    },
    "document": {
        "document": {
            "file_id": "BQACAgQAAxkBAAIBd",
            "file_unique_id": "AgADxQ",
            "file_name": "brief-gemeente.pdf",
            "mime_type": "application/pdf",
            "file_size": 50211,
        },
        "caption": "Wat betekent deze brief?",
    },
    "location": {"location": {"latitude": 52.9563, "longitude": 4.7601}},
    "video": {
        "video": {
            "file_id": "BAACAgQAAxkBAAIBe",
            "file_unique_id": "AgADyQ",
            "width": 640,
            "height": 360,
            "duration": 6,
        }
    },
    "contact": {"contact": {"phone_number": "+31612345678", "first_name": "Sara", "user_id": 42}},
}


# ---------------------------------------------------------------------- helpers


def payloads(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [row[0]["callback_data"] for row in markup.get("inline_keyboard", [])]


def replies_after(fake: FakeTelegram, chat_id: int, count: int, condition, seconds=30.0):
    """Wait until the messages sent to the chat after the first `count` hold one that meets
    `condition`; return those messages."""

    def new():
        fresh = fake.sent_to(chat_id)[count:]
        return fresh if any(condition(m) for m in fresh) else None

    return wait_for(new, seconds)


def expected_text(response: str, language: str) -> str:
    return translate(RESPONSES[response][0].text, language)


# ---------------------------------------------------------------------- splitting, payloads


def test_a_long_text_is_split_at_a_paragraph_then_a_line_then_a_word():
    paragraph = "a" * 3000
    assert split_text(f"{paragraph}\n\n{'b' * 3000}") == [paragraph, "b" * 3000]
    assert split_text(f"{paragraph}\n{'b' * 3000}") == [paragraph, "b" * 3000]
    words = " ".join(f"woord{i}" for i in range(1200))  # about 10,000 characters
    parts = split_text(words)
    assert len(parts) == 3 and " ".join(parts) == words
    assert all(utf16_length(p) <= MESSAGE_LIMIT for p in parts)
    assert all(p.split()[-1] in words.split() for p in parts), "no word is cut"


def test_a_short_header_is_not_sent_alone_and_emoji_count_double():
    text = "Antwoord van de gemeente:\n\n" + " ".join(["🙂🙂 huisarts"] * 700)
    parts = split_text(text)
    assert len(parts) == 3 and parts[0].startswith("Antwoord van de gemeente:\n\n🙂🙂 huisarts")
    assert all(utf16_length(p) <= MESSAGE_LIMIT for p in parts)
    assert " ".join(parts) == text


def test_a_text_without_spaces_is_cut_hard_and_a_short_one_is_left_alone():
    assert split_text("x" * 5000) == ["x" * 4096, "x" * 904]
    assert split_text("  Hallo!\n") == ["Hallo!"]


def test_payloads_fit_callback_data_and_long_ones_go_as_tokens():
    codec = CallbackPayloads()
    short = '/choose_language{"language": "ar"}'
    assert codec.encode(short) == short and codec.decode(short) == short
    long = '/choose_topic{"topic": "' + "huisvesting-en-toeslagen-" * 4 + '"}'
    token = codec.encode(long)
    assert len(token.encode()) <= CALLBACK_DATA_LIMIT and token != long
    assert codec.decode(token) == long
    # A payload of domain.yml decodes in any process (another replica, after a restart).
    assert CallbackPayloads(known=[long]).decode(token) == long
    assert CallbackPayloads().decode(token) is None
    # A short payload that looks like a token is sent as a token, so it cannot be confused.
    assert codec.decode(codec.encode("#hash")) == "#hash"


# ------------------------------------------------------------------ the channel in this process


class StandIn:
    """A conversation service that answers with fixed messages and notes what came in."""

    def __init__(self, replies: list[BotMessage]) -> None:
        self.replies = replies
        self.received: list[InboundMessage] = []

    async def handle(self, message: InboundMessage) -> Outcome:
        self.received.append(message)
        return Outcome("nl", self.replies)


@pytest.fixture(scope="module")
def fake():
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()


@contextlib.asynccontextmanager
async def channel_running(fake, tmp_path, conversations, start=True):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    db = make_engine(url)
    settings = Settings(telegram_token=TOKEN, telegram_api_url=fake.bot_api_url, database_url=url)
    channel = TelegramChannel(settings, conversations, db)
    if start:
        await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()
        db.dispose()


async def until(condition, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_payload_longer_than_callback_data_allows_still_works(fake, tmp_path):
    long = '/ask{"question": "' + "waar vind ik een huisarts in Den Helder " * 3 + '"}'
    conversations = StandIn([BotMessage("Kies:", (("Lange knop", long), ("Menu", "/main_menu")))])
    chat = new_chat()

    async def scenario():
        async with channel_running(fake, tmp_path, conversations):
            fake.push(message_update(chat, "hallo"))
            [sent] = await until(lambda: fake.sent_to(chat))
            data = payloads(sent)
            assert data[1] == "/main_menu" and len(data[0].encode()) <= CALLBACK_DATA_LIMIT
            fake.push(button_update(chat, data[0], keyboard=sent["reply_markup"]))
            await until(lambda: len(conversations.received) == 2)
            # A token this process does not know (e.g. from before a restart): the title counts.
            unknown = "#" + "A" * 32
            button = {"text": "Huisarts zoeken", "callback_data": unknown}
            keyboard = {"inline_keyboard": [[button]]}
            fake.push(button_update(chat, unknown, keyboard=keyboard))
            await until(lambda: len(conversations.received) == 3)

    asyncio.run(scenario())
    assert [m.text for m in conversations.received] == ["hallo", long, "Huisarts zoeken"]
    assert len(fake.calls_of("answerCallbackQuery")) >= 2


def test_the_outbox_sender_waits_out_short_flood_limits_and_raises_for_long_ones(
    fake, tmp_path, monkeypatch
):
    monkeypatch.setattr(telegram_channel, "OUTBOX_MAX_WAIT", 1.5)
    chat = new_chat()
    key = f"telegram:{chat}"
    long_answer = BotMessage(" ".join(["antwoord"] * 600), (("Reageren", "/case_reply"),))

    async def scenario():
        async with channel_running(fake, tmp_path, StandIn([])) as channel:
            fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", 1, chat)
            assert await channel.send(key, BotMessage("Kort antwoord")) is None
            assert len(fake.sent_to(chat)) == 1

            # Longer than the outbox should sit and wait, and nothing sent yet: raise, so the
            # outbox tries again later.
            fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", 30, chat)
            started = time.monotonic()
            with pytest.raises(RetryAfter):
                await channel.send(key, long_answer)
            assert time.monotonic() - started < 5 and len(fake.sent_to(chat)) == 1

            # Once the first part is out, the second waits however long Telegram asks.
            sent_before = len(fake.sent_to(chat))
            fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", 2, chat, skip=1)
            await channel.send(key, long_answer)
            parts = fake.sent_to(chat)[sent_before:]
            assert len(parts) == 2 and payloads(parts[-1]) == ["/case_reply"]

    asyncio.run(scenario())


def test_the_outbox_sender_defers_when_the_person_blocked_the_bot_and_waits_for_the_start(
    fake, tmp_path
):
    chat = new_chat()

    async def scenario():
        async with channel_running(fake, tmp_path, StandIn([]), start=False) as channel:
            with pytest.raises(TelegramNotReady):
                await channel.send(f"telegram:{chat}", BotMessage("Antwoord"))
            await channel.start()
            blocked = "Forbidden: bot was blocked by the user"
            fake.fail_next("sendMessage", 403, blocked, chat_id=chat)
            with pytest.raises(DeliveryDeferred) as deferred:
                await channel.send(f"telegram:{chat}", BotMessage("Antwoord"))
            assert "geblokkeerd" in deferred.value.note
            await channel.send(f"telegram:{chat}", BotMessage("Antwoord"))

    asyncio.run(scenario())
    assert [m["text"] for m in fake.sent_to(chat)] == ["Antwoord"]


def test_when_telegram_cannot_be_reached_at_start_the_channel_keeps_trying(tmp_path):
    later = FakeTelegram(TOKEN)  # its port is chosen, nothing listens there yet
    chat = new_chat()

    async def scenario():
        async with channel_running(later, tmp_path, StandIn([]), start=False) as channel:
            started = time.monotonic()
            await channel.start()  # returns: the rest of the app must not wait for Telegram
            assert time.monotonic() - started < 10
            with pytest.raises(TelegramNotReady):
                await channel.send(f"telegram:{chat}", BotMessage("Antwoord"))
            await anyio.to_thread.run_sync(later.start)
            try:
                await until(lambda: later.polls > 0, seconds=20)
                await channel.send(f"telegram:{chat}", BotMessage("Antwoord"))
            finally:
                await channel.stop()
                await anyio.to_thread.run_sync(later.stop)

    asyncio.run(scenario())
    assert len(later.calls_of("setMyCommands")) == len(SUPPORTED) + 1
    assert [m["text"] for m in later.sent_to(chat)] == ["Antwoord"]


# ---------------------------------------------------------------------- a whole Wegwijs, polling


class Running:
    def __init__(self, stack: Stack, fake: FakeTelegram, db) -> None:
        self.stack, self.fake, self.db = stack, fake, db


@pytest.fixture(scope="module")
def polling(tmp_path_factory):
    """Engine and app with a bot token and no webhook URL: the app polls the fake Telegram."""
    workdir = tmp_path_factory.mktemp("telegram-polling")
    fake_api = FakeTelegram(TOKEN).start()
    smtp = SmtpPeer().start()
    settings = isolated_settings(
        workdir,
        telegram_token=TOKEN,
        telegram_api_url=fake_api.bot_api_url,
        profiles_dir=write_team_profile(workdir / "profiles"),
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        outbox_poll_seconds=0.2,
    )
    stack = Stack(settings)
    db = None
    try:
        stack.start()
        db = create_engine(settings.database_url)
        yield Running(stack, fake_api, db)
    finally:
        if db is not None:
            db.dispose()
        stack.stop()
        smtp.stop()
        fake_api.stop()


@engine
def test_the_command_menu_is_registered_in_every_language(polling):
    menus = {
        call.params.get("language_code"): {
            c["command"]: c["description"] for c in call.params["commands"]
        }
        for call in polling.fake.calls_of("setMyCommands")
    }
    assert set(menus) == {*SUPPORTED, None}
    assert list(menus[None]) == ["start", "language", "help", "status", "forget", "privacy"]
    for language in SUPPORTED:
        assert menus[language] == {
            command: translate(description, language)
            for command, description in commands.MENU.items()
        }
    assert menus[None] == menus["nl"], "everyone else gets the Dutch menu"
    for language in ("ar", "uk", "ti"):
        descriptions = list(menus[language].values())
        assert written_in(" ".join(descriptions), SCRIPT_OF[language]), language
        # Each one is translated (the name Wegwijs stays in Latin letters).
        assert all(letters_in(d, SCRIPT_OF[language]) for d in descriptions), descriptions


@engine
def test_polling_mode_takes_no_webhook_posts(polling):
    response = httpx.post(
        f"{polling.stack.settings.app_url}/webhooks/telegram",
        json=message_update(new_chat(), "/start"),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status_code in (403, 404)
    assert polling.fake.polls > 0


@engine
def test_a_typed_arabic_question_gets_an_arabic_answer_with_buttons_that_work(polling):
    fake, chat = polling.fake, new_chat()
    fake.push(message_update(chat, "مين الشخص المسؤول عني بالبلدية", language_code="en"))
    replies = replies_after(fake, chat, 0, lambda m: m.get("reply_markup"))
    question = next(m for m in replies if m.get("reply_markup"))
    assert written_in(question["text"], "ARABIC")
    assert '/choose_group{"group": "amv"}' in payloads(question)
    assert "parse_mode" not in question

    press = button_update(chat, '/choose_group{"group": "amv"}', "en", question["reply_markup"])
    fake.push(press)
    answer = replies_after(fake, chat, len(fake.sent_to(chat)), lambda m: "Nidos" in m["text"])
    assert written_in(answer[0]["text"], "ARABIC")
    acknowledged = [c.params["callback_query_id"] for c in fake.calls_of("answerCallbackQuery")]
    assert press["callback_query"]["id"] in acknowledged


@engine
@pytest.mark.parametrize("command", ["/start", "/start@WegwijsTestBot"])
def test_start_welcomes_in_the_telegram_language_and_offers_the_language_menu(polling, command):
    fake, chat = polling.fake, new_chat()
    fake.push(message_update(chat, command, language_code="uk"))
    [welcome] = wait_for(lambda: fake.sent_to(chat))
    assert welcome["text"] == expected_text("utter_start", "uk")
    assert payloads(welcome) == LANGUAGE_PAYLOADS
    assert [row[0]["text"] for row in welcome["reply_markup"]["inline_keyboard"]][0] == "العربية"

    arabic = '/choose_language{"language": "ar"}'
    press = button_update(chat, arabic, "uk", welcome["reply_markup"])
    fake.push(press)
    chosen = replies_after(fake, chat, 1, lambda m: True)
    assert written_in(chosen[0]["text"], "ARABIC")
    acknowledged = [c.params["callback_query_id"] for c in fake.calls_of("answerCallbackQuery")]
    assert press["callback_query"]["id"] in acknowledged


@engine
@pytest.mark.parametrize("kind", list(MEDIA))
def test_voice_notes_photos_and_other_media_get_the_friendly_reply(polling, kind):
    fake, chat = polling.fake, new_chat()
    fake.push(message_update(chat, language_code="uk", **MEDIA[kind]))
    [reply] = wait_for(lambda: fake.sent_to(chat))
    assert reply["text"] == expected_text("utter_unsupported_message", "uk")
    assert payloads(reply), "the menu comes with it"


@engine
def test_group_supergroup_and_channel_chats_get_no_reply(polling):
    fake = polling.fake
    group = {"id": -random.randint(10**8, 10**9), "title": "Buurtapp", "type": "group"}
    supergroup = {
        "id": -(10**12) - random.randint(1, 10**9),
        "title": "Nieuw in Den Helder",
        "type": "supergroup",
    }
    channel = {"id": -(10**12) - random.randint(1, 10**9), "title": "Nieuws", "type": "channel"}
    asker = new_chat()
    fake.push(
        message_update(asker, "/start", chat=group),
        message_update(asker, "Waar is het gemeentehuis?", chat=supergroup),
        {
            "update_id": next(_update_ids),
            "channel_post": {
                "message_id": 5,
                "chat": channel,
                "date": int(time.time()),
                "text": "/start",
            },
        },
    )
    # A press under a message in a group (the bot was added to one) is ignored too.
    pressed_in_group = button_update(asker, '/choose_language{"language": "ar"}')
    pressed_in_group["callback_query"]["message"]["chat"] = group
    fake.push(pressed_in_group)

    marker = new_chat()
    fake.push(message_update(marker, "/privacy"))
    wait_for(lambda: fake.sent_to(marker))
    time.sleep(1.0)
    for chat in (group, supergroup, channel):
        assert fake.attempts_to(chat["id"]) == []


@engine
def test_the_same_update_twice_gets_one_reply(polling):
    fake, chat = polling.fake, new_chat()
    update = message_update(chat, "/privacy", language_code="tr")
    fake.push(update)
    wait_for(lambda: fake.sent_to(chat))
    fake.push(update)  # delivered again, as after a crash before the offset was confirmed
    fake.push(message_update(chat, "/start", language_code="tr"))
    replies_after(fake, chat, 1, lambda m: payloads(m) == LANGUAGE_PAYLOADS)
    time.sleep(0.5)
    texts = [m["text"] for m in fake.sent_to(chat)]
    assert texts[0].startswith(expected_text("utter_privacy", "tr").split("{")[0][:20])
    assert len(texts) == 2, texts


@engine
def test_a_flood_limit_is_waited_out_and_the_reply_delivered_once(polling):
    fake, chat = polling.fake, new_chat()
    fake.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=chat
    )
    fake.push(message_update(chat, "/start", language_code="ar"))
    [welcome] = wait_for(lambda: fake.sent_to(chat))
    attempts = fake.attempts_to(chat)
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.95
    assert welcome["text"] == expected_text("utter_start", "ar")
    time.sleep(1.0)
    assert len(fake.sent_to(chat)) == 1


@engine
def test_the_logs_hold_no_text_chat_id_name_or_token(polling):
    fake, chat = polling.fake, new_chat()
    marker = "Zorgvuldigheidsproef"
    update = message_update(chat, f"Ik zoek een huisarts, {marker}", language_code="nl")
    update["message"]["from"]["first_name"] = update["message"]["chat"]["first_name"] = "Qwertyna"
    fake.push(update)
    wait_for(lambda: fake.sent_to(chat))
    fake.push(message_update(chat, MEDIA["document"]["caption"], **MEDIA["document"]))
    wait_for(lambda: len(fake.sent_to(chat)) > 1)
    for log in ("app.log", "engine.log"):
        text = (polling.stack.settings.var_dir / log).read_text(encoding="utf-8", errors="replace")
        assert marker not in text and "Qwertyna" not in text and "brief-gemeente" not in text, log
        assert str(chat) not in text and TOKEN not in text, log


def hand_over(polling, chat: int, language: str) -> Case:
    """Ask for a person and say yes with the button, as in Telegram; the case that results."""
    fake = polling.fake
    fake.push(message_update(chat, "/request_human", language_code=language))
    offer = replies_after(fake, chat, 0, lambda m: payloads(m) == OFFER_BUTTONS)[-1]
    count = len(fake.sent_to(chat))
    fake.push(button_update(chat, "/handover_consent", language, offer["reply_markup"]))
    replies_after(fake, chat, count, lambda m: "W-" in m["text"])
    with Session(polling.db) as session:
        return session.scalars(
            select(Case).where(Case.conversation_key == f"telegram:{chat}")
        ).one()


@engine
def test_a_staff_answer_arrives_in_the_telegram_chat_with_the_buttons(polling):
    fake, chat = polling.fake, new_chat()
    case = hand_over(polling, chat, "ar")
    assert (case.channel, case.language) == ("telegram", "ar")
    count = len(fake.sent_to(chat))
    Casework(polling.db).answer(case.id, "anna", None, "U kunt dinsdag om 10 uur langskomen.")
    [answer] = replies_after(fake, chat, count, lambda m: "dinsdag" in m["text"])
    template = "Antwoord van de gemeente {gemeente} op je vraag {reference}:\n\n{answer}"
    assert answer["text"] == translate(template, "ar").format(
        gemeente="Den Helder",
        reference=case.reference,
        answer="U kunt dinsdag om 10 uur langskomen.",
    )
    assert "/case_reply" in payloads(answer)


@engine
def test_a_staff_answer_longer_than_telegram_allows_arrives_in_two_parts(polling):
    fake, chat = polling.fake, new_chat()
    case = hand_over(polling, chat, "uk")
    count = len(fake.sent_to(chat))
    long_answer = " ".join(f"antwoord{i}" for i in range(500))  # about 5,000 characters
    # The desk and Casework cap an answer at 2,000 characters (bot/cases.py MAX_TEXT), so the
    # delivery is queued the way Casework.answer queues it, with the whole text.
    with Session(polling.db) as session, session.begin():
        case_row = session.get(Case, case.id)
        _queue_delivery(session, case_row, "staff_answer", "answer:long", long_answer)
    parts = replies_after(fake, chat, count, lambda m: "antwoord499" in m["text"])
    assert len(parts) == 2
    template = "Antwoord van de gemeente {gemeente} op je vraag {reference}:\n\n{answer}"
    whole = translate(template, "uk").format(
        gemeente="Den Helder", reference=case.reference, answer=long_answer
    )
    texts = [p["text"] for p in parts]
    assert texts[0].startswith(translate(template, "uk").split("{gemeente}")[0])
    assert all(len(t) < 4096 for t in texts)
    assert " ".join(texts) == whole, "split at a space, nothing lost"
    last_word, first_word = texts[0].split()[-1], texts[1].split()[0]
    assert int(first_word.removeprefix("antwoord")) == int(last_word.removeprefix("antwoord")) + 1
    assert payloads(parts[0]) == [] and "/case_reply" in payloads(parts[1])


# ---------------------------------------------------------------------- the app, webhook mode


@pytest.fixture(scope="module")
def webhook(tmp_path_factory):
    """The app alone (app-answered commands need no engine) with a webhook URL and secret."""
    workdir = tmp_path_factory.mktemp("telegram-webhook")
    fake_api = FakeTelegram(TOKEN).start()
    port = free_port()
    settings = isolated_settings(
        workdir,
        app_port=port,
        telegram_token=TOKEN,
        telegram_api_url=fake_api.bot_api_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}",
        telegram_webhook_secret=SECRET,
    )
    stack = Stack(settings)
    try:
        stack.start_app()
        yield Running(stack, fake_api, None)
    finally:
        stack.stop()
        fake_api.stop()


def post(running: Running, body, secret: str | None = SECRET) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return httpx.post(
        f"{running.stack.settings.app_url}/webhooks/telegram",
        content=content,
        headers=headers,
        timeout=30,
    )


def test_the_webhook_is_registered_with_its_secret_and_nothing_is_polled(webhook):
    [registration] = webhook.fake.calls_of("setWebhook")
    assert registration.params["url"] == f"{webhook.stack.settings.app_url}/webhooks/telegram"
    assert registration.params["secret_token"] == SECRET
    assert set(registration.params["allowed_updates"]) == {"message", "callback_query"}
    assert webhook.fake.polls == 0 and webhook.fake.calls_of("deleteWebhook") == []
    assert len(webhook.fake.calls_of("setMyCommands")) == len(SUPPORTED) + 1


def test_webhook_requests_without_the_right_secret_are_refused_and_not_handled(webhook):
    chat = new_chat()
    update = message_update(chat, "/privacy")
    assert post(webhook, update, secret=None).status_code == 403
    assert post(webhook, update, secret="wrong").status_code == 403
    assert post(webhook, update, secret=SECRET + "x").status_code == 403
    assert webhook.fake.attempts_to(chat) == []
    # Refused requests were not taken for the update: the real one still gets its answer.
    assert post(webhook, update).status_code == 200
    assert len(webhook.fake.sent_to(chat)) == 1


def test_webhook_bodies_that_are_no_update_or_too_large_are_refused(webhook):
    assert post(webhook, b"{not json").status_code == 400
    assert post(webhook, b"").status_code == 400
    assert post(webhook, []).status_code == 400
    assert post(webhook, {"hello": "world"}).status_code == 400
    assert post(webhook, {"update_id": "7"}).status_code == 400
    chat = new_chat()
    big = message_update(chat, "/privacy")
    big["message"]["padding"] = "x" * 1_100_000
    assert post(webhook, big).status_code == 413
    assert post(webhook, big, secret=None).status_code == 403
    # Without a Content-Length (chunked), the body is counted while it is read.
    encoded = json.dumps(big).encode()
    chunked = httpx.post(
        f"{webhook.stack.settings.app_url}/webhooks/telegram",
        content=iter([encoded[i : i + 65536] for i in range(0, len(encoded), 65536)]),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=30,
    )
    assert chunked.status_code == 413
    assert webhook.fake.attempts_to(chat) == []


def test_a_webhook_update_is_answered_before_the_200_and_a_replay_once(webhook):
    chat = new_chat()
    update = message_update(chat, "/start", language_code="ar")
    assert post(webhook, update).status_code == 200
    [welcome] = webhook.fake.sent_to(chat)  # handled before the answer to Telegram
    assert welcome["text"] == expected_text("utter_start", "ar")
    assert payloads(welcome) == LANGUAGE_PAYLOADS
    assert post(webhook, update).status_code == 200  # Telegram delivers it again
    assert len(webhook.fake.sent_to(chat)) == 1

    press = button_update(chat, "/privacy", "ar", welcome["reply_markup"])
    assert post(webhook, press).status_code == 200
    acknowledged = [
        c.params["callback_query_id"] for c in webhook.fake.calls_of("answerCallbackQuery")
    ]
    assert press["callback_query"]["id"] in acknowledged
    assert len(webhook.fake.sent_to(chat)) == 2
