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
from starlette.routing import Mount, Route
from starlette.templating import Jinja2Templates

from bot import action_server, language, webchat
from bot.cases import CaseStore
from bot.casework import Casework
from bot.channels.registry import build_channels
from bot.conversation import ConversationService
from bot.db import make_engine
from bot.desk.web import desk_routes
from bot.engine_client import EngineClient
from bot.handover import HandoverFlow
from bot.memory import LanguageMemory
from bot.nlg import Renderer, UnknownResponse
from bot.outbox import OutboxWorker
from bot.tracker_erase import TrackerEraser
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
    profile = load_profile(settings.municipality, settings.profiles_dir)
    templates = Jinja2Templates(directory=TEMPLATES)

    tracker_eraser = TrackerEraser(settings.tracker_store_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await anyio.to_thread.run_sync(language.preload)
        worker = OutboxWorker(
            db,
            settings,
            profile,
            app.state.renderer,
            app.state.senders,
            tracker_eraser.erase_idle,
        )
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(worker.run)
            for channel in channels:
                await channel.start()
            yield
            for channel in channels:
                await channel.stop()
            tasks.cancel_scope.cancel()
        await engine.aclose()
        tracker_eraser.dispose()
        db.dispose()

    app = Starlette(
        routes=[
            Route("/", lambda request: RedirectResponse("/chat")),
            Route("/health", health),
            Route("/chat", webchat.chat_page(templates)),
            Route("/chat/api/messages", webchat.post_message, methods=["POST"]),
            Route("/chat/api/messages", webchat.get_messages, methods=["GET"]),
            Route("/nlg", nlg, methods=["POST"]),
            Route("/actions/webhook", action_server.run_action, methods=["POST"]),
            Mount("/desk", routes=desk_routes(templates)),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.db = db
    app.state.profile = profile
    app.state.cases = CaseStore(db)
    app.state.casework = Casework(db)
    app.state.renderer = Renderer(
        load_responses(ROOT / "domain.yml"),
        translate,
        settings.default_language,
        profile,
    )
    #: Senders that push messages into a person's chat, per channel (the web chat polls instead).
    app.state.senders = {}
    handover = HandoverFlow(
        app.state.cases,
        engine,
        app.state.renderer,
        lambda key: anyio.to_thread.run_sync(tracker_eraser.erase, key),
    )
    app.state.conversations = ConversationService(
        engine, LanguageMemory(db), handover, app.state.renderer, settings.retention_days
    )
    channels = build_channels(settings, app.state.conversations, db)
    for channel in channels:
        app.state.senders[channel.name] = channel.send
        app.router.routes.extend(channel.routes())
    app.state.action_executor = action_server.make_executor(app.state.cases)
    return app
