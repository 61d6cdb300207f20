"""Chat with a running Wegwijs in the terminal: `.venv/app/bin/python -m bot.terminal_chat`.

It uses the same API as the web chat. Buttons are numbered: type the number to press one.
"""

from __future__ import annotations

import argparse
import sys
import uuid

import httpx

from core.config import Settings


def _show(replies: list[dict], language: str) -> list[dict]:
    buttons: list[dict] = []
    for reply in replies:
        print(f"\nWegwijs [{language}]: {reply['text']}")
        for button in reply["buttons"]:
            buttons.append(button)
            print(f"  [{len(buttons)}] {button['title']}")
    return buttons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=Settings().app_url, help="where the app runs")
    args = parser.parse_args()
    sender = f"terminal-{uuid.uuid4().hex[:12]}"
    buttons: list[dict] = []
    print("Wegwijs terminal chat. Type a message; a number presses a button; Ctrl+D ends.")
    with httpx.Client(base_url=args.url, timeout=60) as client:
        while True:
            try:
                line = input("\nyou: ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return
            if not line:
                continue
            if line.isdigit() and 1 <= int(line) <= len(buttons):
                line = buttons[int(line) - 1]["payload"]
            try:
                response = client.post("/chat/api/messages", json={"sender": sender, "text": line})
                response.raise_for_status()
            except httpx.HTTPError as exc:
                print(
                    f"(no answer from {args.url}: {exc}; is `make run` running?)", file=sys.stderr
                )
                continue
            data = response.json()
            buttons = _show(data["replies"], data["language"])


if __name__ == "__main__":
    main()
