"""Understanding, measured: the real engine classifies the held-out test set in all five languages.

The report is written to results/nlu-evaluation.txt and printed at the end of the test run.
"""

import pytest

from core.config import ROOT
from core.languages import SUPPORTED
from core.normalize import normalize_text
from tests.nlu_evaluation import evaluate, load_test_set, report

pytestmark = pytest.mark.engine

REPORT = ROOT / "results" / "nlu-evaluation.txt"
# Floors that catch a regression, set just under what the model reaches today (see the report).
# The targets of issue 3 are higher (accuracy 0.95, confidently wrong 0.02, crisis recall 1.0) and
# not reached yet: that is said in the README and in the issue, not hidden by these numbers.
MIN_ACCURACY = 0.75
MAX_CONFIDENTLY_WRONG = 0.13
MIN_CRISIS_RECALL = 0.8


@pytest.fixture(scope="module")
def scores(stack):
    test_set = load_test_set()
    assert set(test_set) == set(SUPPORTED), "a test set for every language"
    result = evaluate(lambda text: stack.parse(text)["intent"]["name"], test_set)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(report(result) + "\n", encoding="utf-8")
    return result


def comparable(text: str) -> str:
    """The text as the model sees it, without end punctuation: "Huisarts?" equals "huisarts"."""
    return normalize_text(text).strip(" ?!.,؟")


def test_test_set_is_never_used_for_training():
    training = {
        comparable(text)
        for rows in load_test_set(ROOT / "data" / "nlu").values()
        for text, _ in rows
    }
    held_out = [text for rows in load_test_set().values() for text, _ in rows]
    leaked = [t for t in held_out if comparable(t) in training]
    assert not leaked, f"test examples found in training data: {leaked[:5]}"


def test_no_training_example_has_two_intents():
    intents: dict[str, set[str]] = {}
    for rows in load_test_set(ROOT / "data" / "nlu").values():
        for text, intent in rows:
            intents.setdefault(comparable(text), set()).add(intent)
    ambiguous = {text: labels for text, labels in intents.items() if len(labels) > 1}
    assert not ambiguous, list(ambiguous.items())[:5]


@pytest.mark.parametrize("language", SUPPORTED)
def test_accuracy_per_language(scores, language):
    assert scores[language].accuracy >= MIN_ACCURACY, report(scores)


@pytest.mark.parametrize("language", SUPPORTED)
def test_few_answers_are_confidently_wrong(scores, language):
    score = scores[language]
    assert score.wrong / score.total <= MAX_CONFIDENTLY_WRONG, report(scores)


@pytest.mark.parametrize("language", SUPPORTED)
def test_crisis_messages_are_recognised(scores, language):
    assert scores[language].crisis_recall >= MIN_CRISIS_RECALL, report(scores)
