"""Short texts about cases that are put together in code: one status line per case.

Full messages live in domain.yml; these fragments fill its {case_lines} placeholder.
"""

from __future__ import annotations

from bot.cases import CaseRef
from core.i18n import N_, translate
from core.languages import direction

#: Placeholders in domain.yml that the handover flow and the outbox fill for one message.
MESSAGE_PLACEHOLDERS = frozenset(
    {"reference", "description", "case_lines", "answer", "retention_days"}
)

STATUS_LABELS = {
    "new": N_("ontvangen, nog niet gelezen"),
    "in_progress": N_("een medewerker kijkt ernaar"),
    "answered": N_("beantwoord, het antwoord staat in deze chat"),
    "closed": N_("afgesloten"),
}


def status_lines(refs: list[CaseRef], language: str) -> str:
    """One line per case: "- W-482913: een medewerker kijkt ernaar".

    In right-to-left languages each line starts with a right-to-left mark, so that a line that
    begins with the Latin reference still reads from the right like the rest of the message.
    """
    start = "\u200f" if direction(language) == "rtl" else ""
    return "\n".join(
        f"{start}- {ref.reference}: {translate(STATUS_LABELS[ref.status], language)}"
        for ref in refs
    )
