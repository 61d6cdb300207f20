"""The five gettext catalogues: complete, not fuzzy, placeholders intact, in step with the sources."""

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from core.config import ROOT
from core.domain_content import PLACEHOLDER, placeholders
from core.languages import SUPPORTED
from tests.scripts import SCRIPT_OF, written_in

LOCALES = ROOT / "locales"


def catalogue(language):
    with open(LOCALES / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def messages(language):
    return [m for m in catalogue(language) if m.id]


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_entry_is_translated_and_not_fuzzy(language):
    untranslated = [m.id[:60] for m in messages(language) if not m.string]
    fuzzy = [m.id[:60] for m in messages(language) if m.fuzzy]
    assert not untranslated, f"{language}: untranslated {untranslated}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy}"


@pytest.mark.parametrize("language", SUPPORTED)
def test_placeholders_match_the_dutch_source(language):
    broken = [
        m.id[:60] for m in messages(language) if placeholders(m.id) != placeholders(m.string)
    ]
    assert not broken, f"{language}: placeholders differ in {broken}"


def without_kept_words(translation, source):
    """The translation minus placeholders and the Dutch names and terms it keeps on purpose."""
    kept = {word.strip("(),.?:;'\"") for word in source.split()}
    words = PLACEHOLDER.sub("", translation).split()
    return " ".join(w for w in words if w.strip("(),.?:;'\"") not in kept)


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED if lang != "nl"])
def test_translations_are_written_in_the_languages_script(language):
    sentences = [m for m in messages(language) if len(m.id) > 40]
    wrong = [
        m.id[:60]
        for m in sentences
        if not written_in(without_kept_words(m.string, m.id), SCRIPT_OF[language])
    ]
    assert not wrong, f"{language}: not in {SCRIPT_OF[language]} script: {wrong}"
    if language != "tr":
        unchanged = [m.id[:60] for m in sentences if m.string == m.id]
        assert not unchanged, f"{language}: left in Dutch: {unchanged}"


@pytest.mark.parametrize("language", SUPPORTED)
def test_catalogue_header_says_how_it_was_reviewed(language):
    header = (LOCALES / language / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert "# Review status:" in header.split("msgid")[0]


def test_catalogues_are_in_step_with_domain_and_code(tmp_path):
    """Fails when a text changed in domain.yml or the app without `make i18n` being run."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "locales/babel.cfg",
            "-o",
            str(pot),
            "--omit-header",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(ROOT)},
    )
    with open(pot, "rb") as f:
        source_ids = {m.id for m in read_po(f) if m.id}
    for language in SUPPORTED:
        catalogue_ids = {m.id for m in messages(language)}
        assert catalogue_ids == source_ids, (
            f"{language} catalogue is stale; run `make i18n` and translate. "
            f"missing: {sorted(source_ids - catalogue_ids)[:3]} obsolete: {sorted(catalogue_ids - source_ids)[:3]}"
        )
