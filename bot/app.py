"""Composition root: builds the ASGI app from Settings (engine client, database, renderer, routes).

Nothing happens at import time; `create_app(settings)` wires everything, and the lifespan opens
and closes the shared clients.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot import action_server, language, webchat
from bot.conversation import ConversationService
from bot.db import make_engine
from bot.engine_client import EngineClient
from bot.memory import LanguageMemory
from bot.nlg import Renderer, UnknownResponse
from core.config import ROOT, Settings
from core.domain_content import load_responses
from core.i18n import translate
from core.profiles import load_profile

logger = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"


async def nlg(request: Request) -> Response:
    """POST /nlg: Rasa's NLG server protocol."""
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "body is not JSON"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
    try:
        return JSONResponse(request.app.state.renderer.render(body))
    except UnknownResponse as exc:
        logger.error("the engine asked for an unknown response %s", exc)
        return JSONResponse({"error": f"unknown response {exc}"}, status_code=404)


async def health(request: Request) -> Response:
    """GET /health: the app is up; says whether the engine is ready too."""
    engine_ready = await request.app.state.engine.is_ready()
    return JSONResponse({"app": "ok", "engine": "ok" if engine_ready else "unavailable"})


def create_app(settings: Settings) -> Starlette:
    db = make_engine(settings.database_url)
    engine = EngineClient(settings.engine_url, settings.engine_timeout)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await anyio.to_thread.run_sync(language.preload)
        yield
        await engine.aclose()
        db.dispose()

    app = Starlette(
        routes=[
            Route("/", lambda request: RedirectResponse("/chat")),
            Route("/health", health),
            Route("/chat", webchat.chat_page(Jinja2Templates(directory=TEMPLATES))),
            Route("/chat/api/messages", webchat.post_message, methods=["POST"]),
            Route("/nlg", nlg, methods=["POST"]),
            Route("/actions/webhook", action_server.run_action, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.conversations = ConversationService(engine, LanguageMemory(db))
    app.state.renderer = Renderer(
        load_responses(ROOT / "domain.yml"),
        translate,
        settings.default_language,
        load_profile(settings.municipality),
    )
    app.state.action_executor = action_server.make_executor()
    return app
