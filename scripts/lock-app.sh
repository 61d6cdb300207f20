#!/usr/bin/env bash
# Re-pins requirements/app.txt: installs requirements/app.in into a scratch venv and freezes it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3.11 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet -r requirements/app.in
{ echo "# App environment (Python 3.11), pinned from requirements/app.in by pip freeze; do not edit by hand."
  "$scratch/venv/bin/pip" freeze; } > requirements/app.txt
echo "requirements/app.txt updated" >&2
