"""The web chat API without an engine: bad input is refused clearly, and an engine that is down
still gets the person a kind reply in their own language."""

import json
import re

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.processes import free_port
from bot.stack import isolated_settings
from core.languages import NATIVE_NAMES
from tests.scripts import written_in


@pytest.fixture(scope="module")
def app_without_engine(tmp_path_factory):
    # Nothing listens on this port: the engine is down.
    settings = isolated_settings(tmp_path_factory.mktemp("webchat"), engine_port=free_port())
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    "body, status",
    [
        ({"sender": "a"}, 400),
        ({"text": "hallo"}, 400),
        ({"sender": "", "text": "hallo"}, 400),
        ({"sender": "a b/c", "text": "hallo"}, 400),
        ({"sender": "a", "text": "   "}, 400),
        ({"sender": "a", "text": 12}, 400),
        (["sender", "text"], 400),
        ({"sender": "a", "text": "hallo", "language_hint": 5}, 400),
        ({"sender": "a", "text": "x" * 2001}, 413),
    ],
)
def test_bad_requests_get_a_clear_4xx(app_without_engine, body, status):
    response = app_without_engine.post("/chat/api/messages", json=body)
    assert response.status_code == status
    assert response.json()["error"]


def test_invalid_json_gets_400(app_without_engine):
    response = app_without_engine.post(
        "/chat/api/messages", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


def test_engine_down_gives_a_kind_reply_in_the_persons_language(app_without_engine):
    response = app_without_engine.post(
        "/chat/api/messages", json={"sender": "down1", "text": "مرحبا، أحتاج طبيب"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "ar"
    apology, offer = body["replies"]
    assert written_in(apology["text"], "ARABIC") and "112" in apology["text"]
    # The question can still be left for staff, in Arabic too.
    assert written_in(offer["text"], "ARABIC")
    assert [b["payload"] for b in offer["buttons"]][0] == "/handover_consent"


def test_browser_language_is_a_hint_for_a_message_without_language(app_without_engine):
    body = {"sender": "hint1", "text": "/greeting", "language_hint": "uk-UA"}
    assert app_without_engine.post("/chat/api/messages", json=body).json()["language"] == "uk"


def test_chat_page_carries_its_texts_in_all_five_languages(app_without_engine):
    page = app_without_engine.get("/chat")
    assert page.status_code == 200
    ui = json.loads(re.search(r"const UI = (\{.*?\});\n", page.text).group(1))
    assert {code: texts["name"] for code, texts in ui.items()} == NATIVE_NAMES
    assert ui["ar"]["dir"] == "rtl" and ui["nl"]["dir"] == "ltr"
    assert written_in(ui["ar"]["send"], "ARABIC") and written_in(ui["ti"]["send"], "ETHIOPIC")


def test_health_reports_the_engine_as_unavailable(app_without_engine):
    assert app_without_engine.get("/health").json() == {"app": "ok", "engine": "unavailable"}
