#!/usr/bin/env bash
# Sets up everything Wegwijs needs, idempotently, and fast when nothing changed:
#   1. the engine environment (Rasa 3.6 on Python 3.10) and the app environment (Python 3.11),
#   2. the compiled gettext catalogues,
#   3. the trained Rasa model.
# Expensive results (environments, models) are cached under $WEGWIJS_CACHE, keyed by a hash of
# what they are built from, so a fresh clone on a machine that built them before is ready in
# seconds, while a machine without the cache simply builds them.
#
# Usage: scripts/setup.sh [envs|catalogues|model|all|browser]   (default: all; browser: for the tests)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${WEGWIJS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wegwijs}"
cd "$ROOT"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

hash_of() {  # hash_of FILE... : one short hash over the names and contents of the given files
  local f
  for f in "$@"; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-16
}

find_python() {  # find_python 3.10 : an interpreter of exactly that minor version, or nothing
  local want="$1" candidate
  local -a candidates=()
  local override_var="WEGWIJS_PYTHON${want/./}"
  [ -n "${!override_var:-}" ] && candidates+=("${!override_var}")
  candidates+=("python$want")
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv root)"/versions/"$want".*/bin/python"$want")
  fi
  candidates+=("$HOME"/.pyenv/versions/"$want".*/bin/python"$want" /usr/bin/python"$want" /usr/local/bin/python"$want")
  for candidate in "${candidates[@]}"; do
    if command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c "import sys, venv; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {  # ensure_venv NAME PYTHON_VERSION LOCKFILE : builds or reuses a cached venv, links .venv/NAME
  local name="$1" version="$2" lock="$3" python key dir
  python="$(find_python "$version")" || die "the $name environment needs Python $version, and none was found.
        Looked for \$WEGWIJS_PYTHON${version/./}, python$version on PATH and pyenv versions.
        Install it (for example: pyenv install $version) or set WEGWIJS_PYTHON${version/./}=/path/to/python$version."
  key="$(printf '%s\n%s\n' "$("$python" -VV)" "$(hash_of "$lock")" | sha256sum | cut -c1-16)"
  dir="$CACHE/venvs/$name-$key"
  if [ ! -f "$dir/.complete" ]; then
    say "building the $name environment with $python (first run only; a few minutes)"
    rm -rf "$dir"
    mkdir -p "$CACHE/venvs"
    "$python" -m venv "$dir"
    if ! "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" >"$dir/.pip.log" 2>&1; then
      tail -n 30 "$dir/.pip.log" >&2
      die "installing $lock into $dir failed (full log: $dir/.pip.log)"
    fi
    touch "$dir/.complete"
  fi
  mkdir -p .venv
  ln -sfn "$dir" ".venv/$name"
}

setup_envs() {
  ensure_venv engine 3.10 requirements/engine.txt
  ensure_venv app 3.11 requirements/app.txt
}

compile_catalogues() {
  .venv/app/bin/pybabel compile --statistics -d locales -D messages 2>&1 \
    | grep -v '^compiling' >&2 || true
  ls locales/*/LC_MESSAGES/messages.mo >/dev/null 2>&1 || die "pybabel compile produced no catalogues"
}

model_inputs() {  # every file the trained model depends on, in a stable order
  printf '%s\n' config.yml domain.yml requirements/engine.txt core/normalize.py core/crisis.py core/crisis_words.yml
  find data components -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' \) | LC_ALL=C sort
}

ensure_model() {
  local key model tmp
  # shellcheck disable=SC2046
  key="$(hash_of $(model_inputs))"
  model="$CACHE/models/wegwijs-$key.tar.gz"
  if [ ! -f "$model" ]; then
    say "training the Rasa model (inputs changed or no cached model; about a few minutes)"
    mkdir -p "$CACHE/models" var/log
    tmp="$(mktemp -d "$CACHE/models/train.XXXXXX")"
    if ! PYTHONPATH="$ROOT" .venv/engine/bin/rasa train --quiet --out "$tmp" \
         --fixed-model-name "wegwijs-$key" >var/log/train.log 2>&1; then
      tail -n 40 var/log/train.log >&2
      rm -rf "$tmp"
      die "rasa train failed (full log: var/log/train.log)"
    fi
    mv "$tmp/wegwijs-$key.tar.gz" "$model"
    rm -rf "$tmp"
  fi
  mkdir -p models
  ln -sfn "$model" models/current.tar.gz
}

case "${1:-all}" in
  envs) setup_envs ;;
  catalogues) compile_catalogues ;;
  model) ensure_model ;;
  all) setup_envs; compile_catalogues; ensure_model ;;
  browser) scripts/install-browser.sh ;;  # only the tests need it (the desk in headless Chromium)
  *) die "unknown step '$1' (use envs, catalogues, model, all or browser)" ;;
esac
