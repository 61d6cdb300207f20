"""The group action over Rasa's action server protocol, as the engine calls it (POST /actions/webhook)."""

import pytest
import yaml
from starlette.testclient import TestClient

from bot.app import create_app
from bot.processes import free_port
from bot.stack import isolated_settings
from core.config import ROOT


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = isolated_settings(tmp_path_factory.mktemp("actions"), engine_port=free_port())
    with TestClient(create_app(settings)) as client:
        yield client


DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def action_call(intent, group=None, pending=None, entities=()):
    return {
        "next_action": "action_answer_by_group",
        "sender_id": "web:test",
        "version": "3.6.21",
        "domain": DOMAIN,
        "tracker": {
            "sender_id": "web:test",
            "slots": {"group": group, "pending_question": pending},
            "latest_message": {
                "text": "x",
                "intent": {"name": intent, "confidence": 1.0},
                "entities": [{"entity": "group", "value": v} for v in entities],
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def run(app, **call):
    response = app.post("/actions/webhook", json=action_call(**call))
    assert response.status_code == 200
    body = response.json()
    return [r.get("response") for r in body["responses"]], {
        e["name"]: e["value"] for e in body["events"] if e["event"] == "slot"
    }


def test_unknown_group_is_asked_once_and_the_question_remembered(app):
    responses, slots = run(app, intent="health_find_gp")
    assert responses == ["utter_ask_group"]
    assert slots == {"pending_question": "health_find_gp"}


def test_choosing_the_group_answers_the_waiting_question(app):
    response = app.post(
        "/actions/webhook",
        json=action_call("choose_group", pending="health_find_gp", entities=["amv"]),
    )
    body = response.json()
    assert [r["response"] for r in body["responses"]] == ["utter_health_find_gp"]
    assert body["responses"][0]["group"] == "amv"  # the NLG must render for the new group
    slots = {e["name"]: e["value"] for e in body["events"]}
    assert slots == {"group": "amv", "pending_question": None}


def test_known_group_is_answered_directly(app):
    responses, slots = run(app, intent="contact_person_who", group="statushouder")
    assert responses == ["utter_contact_person_who"]
    assert slots == {}


def test_choosing_a_group_without_a_question_confirms_it(app):
    responses, slots = run(app, intent="choose_group", entities=["oekraiens"])
    assert responses == ["utter_group_saved"]
    assert slots["group"] == "oekraiens"


def test_an_invented_group_is_not_accepted(app):
    responses, slots = run(app, intent="choose_group", entities=["tourist"])
    assert responses == ["utter_ask_group"]
    assert "group" not in slots


def test_an_answer_that_does_not_depend_on_the_group_is_given_at_once(app):
    responses, slots = run(app, intent="greeting")
    assert responses == ["utter_greeting"]
    assert slots == {}


def test_unknown_action_is_a_404(app):
    call = action_call("greeting") | {"next_action": "action_nope"}
    assert app.post("/actions/webhook", json=call).status_code == 404


def test_malformed_action_call_is_a_400(app):
    assert app.post("/actions/webhook", content=b"not json").status_code == 400
