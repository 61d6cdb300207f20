"""A linear intent classifier on character and word n-grams: fast to train on a lot of examples.

Why not DIET: our data is many short messages in five languages and scripts, with no pretrained
embeddings allowed. What decides accuracy there is how many varied examples the model sees, and
DIET on uncapped sparse features needs over ten minutes for the full catalogue, while a linear
support-vector machine on TF-IDF n-grams trains in seconds and was as accurate on our held-out set.
So the budget goes to data, not epochs.

The text it reads is the normalised tokens of our tokenizer (components/tokenizer.py), so spelling
variants (Arabic alef forms, Turkish dotless i, apostrophes) are one feature. Confidence is a
softmax over the decision scores with a temperature; the FallbackClassifier after it decides what
is too unsure to answer.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Type

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT, TEXT_TOKENS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_classifier.joblib"


def normalised_text(message: Message) -> str:
    """The message as our tokenizer normalised it, tokens joined by single spaces."""
    tokens = message.get(TEXT_TOKENS) or []
    return " ".join(token.text for token in tokens)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    shifted = (scores - scores.max(axis=1, keepdims=True)) / temperature
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NgramIntentClassifier(IntentClassifier, GraphComponent):
    """Linear SVM over TF-IDF character (within words) and word n-grams of the normalised text."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "joblib"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "char_ngram_range": [1, 5],
            "word_ngram_range": [1, 2],
            "C": 1.0,
            "temperature": 0.1,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.pipeline = pipeline

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NgramIntentClassifier:
        return cls(config, model_storage, resource)

    def _new_pipeline(self) -> Pipeline:
        features = FeatureUnion(
            [
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=tuple(self.config["char_ngram_range"]),
                        sublinear_tf=True,
                    ),
                ),
                (
                    "words",
                    TfidfVectorizer(
                        analyzer="word",
                        ngram_range=tuple(self.config["word_ngram_range"]),
                        sublinear_tf=True,
                        token_pattern=r"\S+",
                    ),
                ),
            ]
        )
        return Pipeline([("features", features), ("svm", LinearSVC(C=self.config["C"]))])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.warning("No intent examples: the intent classifier stays untrained.")
            return self._resource
        texts = [normalised_text(e) for e in examples]
        labels = [e.get(INTENT) for e in examples]
        self.pipeline = self._new_pipeline().fit(texts, labels)
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.pipeline is None:
            return messages
        scores = self.pipeline.decision_function([normalised_text(m) for m in messages])
        confidences = softmax(np.atleast_2d(scores), self.config["temperature"])
        intents = self.pipeline.classes_
        length = self.config["ranking_length"]
        for message, row in zip(messages, confidences):
            order = np.argsort(-row)[:length]
            ranking = [{"name": str(intents[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        """Stored with joblib: the model archive is only ever built by our own `rasa train`."""
        with self._model_storage.write_to(self._resource) as model_dir:
            joblib.dump(self.pipeline, model_dir / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NgramIntentClassifier:
        try:
            with model_storage.read_from(resource) as model_dir:
                pipeline = joblib.load(model_dir / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained intent classifier in the model; every message falls back.")
            pipeline = None
        return cls(config, model_storage, resource, pipeline)
