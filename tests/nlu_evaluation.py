"""Scores the trained model on the held-out test set under tests/nlu (never used for training).

Per language: accuracy, the share that fell back (nlu_fallback), the share answered confidently
wrong (another intent above the fallback threshold), crisis recall, and the confusions.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

TEST_SET = Path(__file__).resolve().parent / "nlu"
FALLBACK = "nlu_fallback"


def load_test_set(directory: Path = TEST_SET) -> dict[str, list[tuple[str, str]]]:
    """{language: [(text, intent), ...]} from <directory>/<language>[-<part>].yml."""
    examples: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows = examples.setdefault(path.stem.split("-")[0], [])
        for block in data["nlu"]:
            for line in block["examples"].splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    rows.append((text, block["intent"]))
    return examples


@dataclass
class LanguageScore:
    total: int = 0
    correct: int = 0
    fell_back: int = 0
    wrong: int = 0
    crisis_total: int = 0
    crisis_found: int = 0
    confusions: collections.Counter = field(default_factory=collections.Counter)

    def add(self, expected: str, predicted: str) -> None:
        self.total += 1
        if expected == "crisis":
            self.crisis_total += 1
            self.crisis_found += predicted == "crisis"
        if predicted == expected:
            self.correct += 1
        elif predicted == FALLBACK:
            self.fell_back += 1
        else:
            self.wrong += 1
            self.confusions[(expected, predicted)] += 1

    @property
    def accuracy(self) -> float:
        return self.correct / self.total

    @property
    def crisis_recall(self) -> float:
        return self.crisis_found / self.crisis_total if self.crisis_total else 1.0


def evaluate(
    classify: Callable[[str], str], test_set: dict[str, list[tuple[str, str]]]
) -> dict[str, LanguageScore]:
    scores: dict[str, LanguageScore] = {}
    for language, rows in test_set.items():
        score = scores.setdefault(language, LanguageScore())
        for text, intent in rows:
            score.add(intent, classify(text))
    return scores


def report(scores: dict[str, LanguageScore]) -> str:
    lines = ["language  examples  accuracy  fallback  conf.wrong  crisis recall"]
    for language, s in scores.items():
        lines.append(
            f"{language:<8}  {s.total:>8}  {s.accuracy:>8.3f}  {s.fell_back / s.total:>8.3f}  "
            f"{s.wrong / s.total:>10.3f}  {s.crisis_recall:>13.3f}"
        )
    lines.append("confusions (language: expected -> predicted, count):")
    for language, s in scores.items():
        for (expected, predicted), count in s.confusions.most_common():
            lines.append(f"  {language}: {expected} -> {predicted}  {count}")
    return "\n".join(lines)
