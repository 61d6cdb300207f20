"""Commands a person can type on any channel, the ones Telegram users expect in its menu.

/start and /privacy are answered by the app; /help and /language are the bot's own buttons under
another name; /status and /forget belong to the handover flow (bot/handover.py). The Telegram
channel registers these with their descriptions in every language (setMyCommands).
"""

from __future__ import annotations

from bot.engine_client import BotMessage
from bot.nlg import Renderer
from bot.replies import rendered
from core.i18n import N_

#: Command -> description (Dutch source, translated per language for the Telegram menu).
MENU = {
    "start": N_("Beginnen en je taal kiezen"),
    "language": N_("Een andere taal kiezen"),
    "help": N_("Wat Wegwijs kan"),
    "status": N_("Mijn vragen aan de gemeente"),
    "forget": N_("Alles over mij wissen"),
    "privacy": N_("Wat Wegwijs over mij bewaart"),
}

#: Commands that are the payload of one of the bot's own buttons.
ALIASES = {"/help": "/bot_capabilities", "/language": "/language_switch"}

#: Commands the app answers itself, with the response that answers them.
APP_ANSWERED = {"/start": "utter_start", "/privacy": "utter_privacy"}


def command_of(text: str) -> str | None:
    """ "/start", "/help@WegwijsBot" -> "/start", "/help"; None for a message that is no
    command."""
    if not text.startswith("/"):
        return None
    return text.split("{", 1)[0].split()[0].split("@", 1)[0].lower()


def as_payload(text: str) -> str:
    """The bot's own payload for a command alias (/help -> /bot_capabilities), else the text."""
    return ALIASES.get(command_of(text) or "", text)


def app_answer(
    text: str, language: str, renderer: Renderer, retention_days: float
) -> list[BotMessage] | None:
    """The app's own answer to /start or /privacy, else None."""
    response = APP_ANSWERED.get(command_of(text) or "")
    if response is None:
        return None
    return [rendered(renderer, response, language, retention_days=f"{retention_days:g}")]
