"""Municipality profiles (profiles/<name>.yml): what differs between Den Helder and Noordoostpolder.

A value is shown only when the profile marks it verified. A placeholder is never shown: the person
gets a general phrase in their language instead, so the bot does not invent numbers or addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from core.i18n import N_
from core.languages import direction

PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"
_PHONE = re.compile(r"[+0-9][0-9 -]*[0-9]")

#: What the person reads where the profile has no verified value, per field used in texts.
GENERAL_PHRASES = {
    "gemeente_telefoon": N_("het telefoonnummer op de website van de gemeente"),
    "gemeente_website": N_("de website van de gemeente"),
    "gemeente_adres": N_("het adres op de website van de gemeente"),
    "gemeente_openingstijden": N_("de openingstijden op de website van de gemeente"),
    "huisartsenpost_telefoon": N_(
        "het nummer van de huisartsenpost in je regio (je huisarts of de gemeente weet het)"
    ),
    "vluchtelingenwerk_contact": N_("VluchtelingenWerk in je regio (vluchtelingenwerk.nl)"),
    "taalhuis": N_("het Taalhuis of de bibliotheek in je gemeente"),
    "nachtopvang": N_(
        "de gemeente voor de nachtopvang (het nummer staat op de website van de gemeente)"
    ),
}


#: Placeholders the profile fills besides GENERAL_PHRASES' fields.
PROFILE_PLACEHOLDERS = frozenset({"gemeente", "handover_team", "answer_time"})
#: Handover values the person reads; shown only when verified, else these general phrases.
HANDOVER_TEAM_GENERAL = N_("een medewerker van de gemeente")
ANSWER_TIME_KNOWN = N_("Meestal krijg je binnen {days} werkdagen antwoord.")
ANSWER_TIME_GENERAL = N_(
    "Ik kan niet beloven hoe snel je antwoord krijgt; de gemeente antwoordt zo snel als het kan."
)


class ProfileError(ValueError):
    """A profile file is missing or malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    fields: dict[str, dict[str, Any]]
    handover: dict[str, dict[str, Any]]

    def text_values(self, language: str, translate: Callable[[str, str], str]) -> dict[str, str]:
        """Values for the placeholders in answers: verified values, else the general phrase."""
        values = {"gemeente": self.name}
        for field, phrase in GENERAL_PHRASES.items():
            entry = self.fields.get(field) or {}
            if entry.get("status") == "verified" and entry.get("value"):
                values[field] = _keep_left_to_right(str(entry["value"]), language)
            else:
                values[field] = translate(phrase, language)
        team = self.handover.get("team") or {}
        values["handover_team"] = (
            str(team["value"]) if _verified(team) else translate(HANDOVER_TEAM_GENERAL, language)
        )
        days = self.handover.get("answer_time_working_days") or {}
        values["answer_time"] = (
            translate(ANSWER_TIME_KNOWN, language).format(days=days["value"])
            if _verified(days)
            else translate(ANSWER_TIME_GENERAL, language)
        )
        return values

    @property
    def handover_email(self) -> str | None:
        """The team mailbox that gets new-case notifications (internal, so a placeholder value
        that is filled in is used too; the person never sees it)."""
        value = (self.handover.get("email") or {}).get("value")
        return str(value) if value else None

    @property
    def answer_time_working_days(self) -> int:
        """The answer-time norm for the desk (overdue cases stand out); 5 when not filled in."""
        value = (self.handover.get("answer_time_working_days") or {}).get("value")
        return int(value) if value else 5


def _verified(entry: dict[str, Any]) -> bool:
    return entry.get("status") == "verified" and entry.get("value") not in (None, "")


def _keep_left_to_right(value: str, language: str) -> str:
    """Numbers such as "0223 67 8888" would show their groups reversed inside Arabic text; a
    left-to-right mark in front keeps them in order (the Arabic catalogue does the same)."""
    if direction(language) == "rtl" and _PHONE.fullmatch(value):
        return "\u200e" + value
    return value


def available() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yml"))


def load_profile(key: str, directory: Path = PROFILES_DIR) -> Profile:
    path = directory / f"{key}.yml"
    if not path.exists():
        raise ProfileError(f"no municipality profile {path}; choose one of {available()}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    fields = data.get("fields") or {}
    missing = sorted(set(GENERAL_PHRASES) - set(fields))
    if not data.get("name") or missing:
        raise ProfileError(f"{path}: needs `name` and fields {missing}")
    for field, entry in {**fields, **(data.get("handover") or {})}.items():
        if entry.get("status") not in ("verified", "placeholder"):
            raise ProfileError(f"{path}: {field} must have status verified or placeholder")
        if entry["status"] == "verified" and not (entry.get("source") and entry.get("checked")):
            raise ProfileError(f"{path}: verified {field} needs a source and a checked date")
    return Profile(key, data["name"], fields, data.get("handover") or {})
