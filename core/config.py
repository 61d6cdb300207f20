"""Typed settings for the app and the engine it starts, read from WEGWIJS_* environment variables.

Defaults give the one-machine setup: engine and app on localhost, SQLite for our own data and for
Rasa's tracker store. Production sets PostgreSQL and Redis URLs; the code is the same.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.languages import SUPPORTED

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEGWIJS_", env_file=None, extra="ignore")

    #: Address the app (web chat, NLG and action endpoints) listens on.
    app_host: str = "127.0.0.1"
    app_port: int = 8000
    #: Address of the Rasa engine; `make run` starts it there.
    engine_host: str = "127.0.0.1"
    engine_port: int = 5005
    #: Seconds to wait for the engine's answer to one message before apologising to the person.
    engine_timeout: float = 30.0
    #: Our own data (conversations; later cases). SQLite by default, postgresql+psycopg://... in production.
    database_url: str = f"sqlite:///{ROOT / 'var' / 'wegwijs.db'}"
    #: Rasa's tracker store: sqlite:///path or postgresql://user:pass@host:port/db.
    tracker_store_url: str = "sqlite:///var/tracker.db"
    #: Rasa's lock store, needed when several engine replicas serve one conversation: redis://host:port/db.
    lock_store_url: str | None = None
    #: The trained model the engine loads (`scripts/setup.sh model` keeps this link current).
    model_path: Path = ROOT / "models" / "current.tar.gz"
    #: Where runtime files go: generated endpoints.yml, logs, SQLite files.
    var_dir: Path = ROOT / "var"
    #: Which municipality profile (<profiles_dir>/<name>.yml) the bot speaks for.
    municipality: str = "den-helder"
    profiles_dir: Path = ROOT / "profiles"
    #: Base URL of the app as staff reach it, for the link in notification e-mails.
    public_url: str | None = None
    #: Send desk cookies only over HTTPS; set true whenever the desk is served over HTTPS.
    secure_cookies: bool = False
    #: How long a desk login lasts.
    desk_session_hours: float = 10.0
    #: SMTP server for staff notifications; without a host, notifications wait in the outbox.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "wegwijs@localhost"
    #: Days after which closed cases (counted from closing) and conversations with the bot
    #: (counted from their last message) are deleted.
    retention_days: float = 90.0
    #: Seconds between two looks of the outbox worker for due deliveries.
    outbox_poll_seconds: float = 1.0
    #: Seconds a worker owns an item it is delivering; after a crash another worker takes it over.
    outbox_lease_seconds: float = 60.0
    # --- Telegram (python-telegram-bot): on when a token is set; long polling unless a webhook URL
    #: The bot token from BotFather.
    telegram_token: str | None = None
    #: Public HTTPS base URL of this app; when set, Telegram posts updates to
    #: <telegram_webhook_url>/webhooks/telegram (setWebhook) instead of being polled.
    telegram_webhook_url: str | None = None
    #: Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token with every webhook request.
    telegram_webhook_secret: str | None = None
    #: The Bot API's base URL (tests point it at a fake server on loopback); None = Telegram's.
    telegram_api_url: str | None = None
    # --- WhatsApp Cloud API: on when an access token and a phone number id are set
    whatsapp_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    #: The Meta app secret: every webhook POST must carry its HMAC (X-Hub-Signature-256).
    whatsapp_app_secret: str | None = None
    #: The verify token entered in the Meta app's webhook settings (GET handshake).
    whatsapp_verify_token: str | None = None
    #: The Graph API base URL with version (tests point it at a fake server on loopback).
    whatsapp_api_url: str = "https://graph.facebook.com/v21.0"
    #: Name of the approved message template that invites a person back after the 24-hour window.
    whatsapp_reopen_template: str | None = None
    #: Language code of that template per language, e.g. {"nl": "nl", "ar": "ar", "uk": "uk"}.
    whatsapp_template_languages: dict[str, str] = Field(default_factory=dict)
    #: Language used when nothing else tells us which to use.
    default_language: str = "nl"
    log_level: str = Field(default="INFO")

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in SUPPORTED:
            raise ValueError(f"default_language must be one of {SUPPORTED}, not {value!r}")
        return value

    @property
    def engine_url(self) -> str:
        return f"http://{self.engine_host}:{self.engine_port}"

    @property
    def app_url(self) -> str:
        return f"http://{self.app_host}:{self.app_port}"

    @property
    def desk_url(self) -> str:
        return f"{(self.public_url or self.app_url).rstrip('/')}/desk"
