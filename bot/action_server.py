"""Rasa's action server protocol, served by the app with rasa_sdk's own executor.

Mounting the executor here (instead of running rasa_sdk's Sanic server) keeps one app process and
lets actions use the app's libraries; the protocol the engine speaks is the same.
"""

from __future__ import annotations

import logging

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)
from starlette.requests import Request
from starlette.responses import JSONResponse

from actions.crisis import ActionCrisisFirstReply
from actions.group import ActionAnswerByGroup
from actions.handover import ActionCaseStatus, ActionFallback, ActionOfferHandover
from bot.cases import CaseStore

logger = logging.getLogger(__name__)


def make_executor(cases: CaseStore) -> ActionExecutor:
    """Register our actions with their dependencies (rasa_sdk's register_package would construct
    them without arguments)."""
    executor = ActionExecutor()
    for action in (
        ActionAnswerByGroup(cases),
        ActionCrisisFirstReply(),
        ActionOfferHandover(cases),
        ActionFallback(cases),
        ActionCaseStatus(cases),
    ):
        executor.register_action(action)
    return executor


async def run_action(request: Request) -> JSONResponse:
    """POST /actions/webhook: run the action the engine names and return its events and messages."""
    executor: ActionExecutor = request.app.state.action_executor
    try:
        action_call = await request.json()
    except ValueError:
        return JSONResponse({"error": "body is not JSON"}, status_code=400)
    if not isinstance(action_call, dict):
        return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
    try:
        result = await executor.run(action_call)
    except ActionNotFoundException as exc:
        logger.error("the engine asked for an unknown action: %s", exc.action_name)
        return JSONResponse(
            {"error": exc.message, "action_name": exc.action_name}, status_code=404
        )
    except ActionMissingDomainException as exc:  # the engine must resend with its domain
        return JSONResponse(
            {"error": exc.message, "action_name": exc.action_name}, status_code=449
        )
    except ActionExecutionRejection as exc:
        return JSONResponse(
            {"error": exc.message, "action_name": exc.action_name}, status_code=400
        )
    return JSONResponse(result.model_dump() if result else None)
