"""Spelling normalisation used by the engine tokenizer and the crisis kinds (core/normalize.py)."""

import pytest

from core.normalize import normalize, normalize_text


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("أريد", "اريد"),  # hamza on alef
        ("إسعاف", "اسعاف"),
        ("مدرسة", "مدرسه"),  # taa marbuta
        ("الدُّكتور", "الدكتور"),  # diacritics
        ("Çocuğum", "cocugum"),  # Turkish letters typed or not
        ("İstanbul", "istanbul"),
        ("ışık", "isik"),
        ("м’ясо", "мясо"),  # three kinds of apostrophe
        ("мʼясо", "мясо"),
        ("één", "een"),
        ("ሰላም።", "ሰላም"),
    ],
)
def test_variants_fold_to_one_spelling(typed, canonical):
    assert normalize(typed) == canonical


def test_letters_that_differ_are_kept_apart():
    assert normalize("йод") == "йод"  # й is not и
    assert normalize("їжа") == "їжа"  # ї is not і


def test_a_whole_text_is_normalised_word_by_word():
    assert normalize_text("  Bıçak   İLE\tgeldi ") == "bicak ile geldi"
