"""The crisis guard: makes sure no crisis message is taken for an ordinary question.

A missed crisis means someone in danger gets an answer about GP registration; an extra crisis means
someone gets emergency numbers and an offer of a person. So after the intent classifier this
component calls a message a crisis when it contains a crisis word of core/crisis_words.yml, or when
the classifier ranked crisis high enough (`max_rank`, `min_confidence`) even though another intent
came out on top. It runs before the FallbackClassifier, so a crisis is never lost to a fallback.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.crisis import crisis_kind

CRISIS = "crisis"


def is_crisis(
    text: str, ranking: List[Dict[str, Any]], max_rank: int, min_confidence: float
) -> bool:
    """True when the words say crisis, or the classifier put crisis near the top."""
    if crisis_kind(text):
        return True
    return any(
        entry["name"] == CRISIS and entry["confidence"] >= min_confidence
        for entry in ranking[:max_rank]
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CrisisGuard(IntentClassifier, GraphComponent):
    """Overrides the predicted intent with crisis when the message may be a crisis."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_rank": 2, "min_confidence": 0.2}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            text = message.get(TEXT) or ""
            if not is_crisis(
                text, ranking, self.config["max_rank"], self.config["min_confidence"]
            ):
                continue
            crisis = {"name": CRISIS, "confidence": 1.0}
            others = [entry for entry in ranking if entry["name"] != CRISIS]
            message.set(INTENT, crisis, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [crisis, *others], add_to_output=True)
        return messages
