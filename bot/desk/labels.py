"""Dutch words for the codes the desk shows (statuses, reasons, groups, topics), and times.

Staff read Dutch; the database keeps codes. An unknown code is shown as it is, so a new value
never breaks a page. Times are shown in Dutch local time.
"""

from __future__ import annotations

import datetime as dt

from jinja2 import Environment

from bot.db import now
from bot.desk.norms import LOCAL, as_utc
from core.languages import NATIVE_NAMES, direction

STATUS = {
    "new": "Nieuw",
    "in_progress": "In behandeling",
    "answered": "Beantwoord",
    "closed": "Gesloten",
}
REASON = {
    "request_human": "Vroeg om een medewerker",
    "complaint": "Klacht",
    "fallback": "Bot begreep de vraag niet",
    "condition": "Situatie vraagt om een medewerker",
    "crisis": "Crisis",
    "engine_unavailable": "Bot was niet beschikbaar",
}
GROUP = {
    "asielzoeker": "Asielzoeker",
    "statushouder": "Statushouder",
    "oekraiens": "Oekraïense ontheemde",
    "amv": "Alleenstaande minderjarige (amv)",
    "arbeidsmigrant": "Arbeidsmigrant",
}
TOPIC = {
    "conversation": "Gesprek",
    "contact_person": "Contact met een medewerker",
    "rights": "Rechten",
    "healthcare": "Zorg",
    "inburgering": "Inburgering",
    "housing": "Wonen",
    "work_education": "Werk en opleiding",
    "leisure_safety_other": "Vrije tijd, veiligheid en overig",
}
CHANNEL = {"web": "Webchat", "telegram": "Telegram"}
AUDIT = {
    "viewed": "bekeken",
    "answered": "beantwoord",
    "closed": "gesloten",
    "reopened": "heropend",
}
ROLE = {"staff": "medewerker", "admin": "beheerder"}
KIND = {"handover": "Overdracht", "fallback": "Niet begrepen"}
LANGUAGE_NL = {
    "ar": "Arabisch",
    "uk": "Oekraïens",
    "tr": "Turks",
    "ti": "Tigrinya",
    "nl": "Nederlands",
}


def label(table: dict[str, str], code: str | None, empty: str = "–") -> str:
    if not code:
        return empty
    return table.get(code, code)


def local_time(moment: dt.datetime | None) -> str:
    if moment is None:
        return "–"
    return as_utc(moment).astimezone(LOCAL).strftime("%d-%m-%Y %H:%M")


def age(moment: dt.datetime, at: dt.datetime | None = None) -> str:
    """How long ago, short: "12 min", "5 uur", "3 dagen"."""
    seconds = max(0, int(((at or now()) - as_utc(moment)).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} uur"
    return f"{seconds // 86400} dagen"


def install(env: Environment) -> None:
    """Make the labels available to the desk templates (filters named desk_*)."""
    tables = {
        "status": STATUS,
        "reason": REASON,
        "group": GROUP,
        "topic": TOPIC,
        "channel": CHANNEL,
        "audit": AUDIT,
        "role": ROLE,
        "kind": KIND,
        "language": LANGUAGE_NL,
    }
    for name, table in tables.items():
        env.filters[f"desk_{name}"] = lambda code, table=table: label(table, code)
    env.filters["desk_time"] = local_time
    env.filters["desk_age"] = age
    env.filters["desk_dir"] = direction
    env.filters["desk_native"] = lambda code: NATIVE_NAMES.get(code, code)
