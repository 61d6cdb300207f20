#!/usr/bin/env bash
# Refreshes the translation catalogues after texts changed in domain.yml or the app:
# extract -> locales/messages.pot, update every locales/<lang>/LC_MESSAGES/messages.po (new languages
# are initialised), and fill the Dutch catalogue from the source texts (Dutch is the source language).
# Translators then fill the empty msgstr entries; `make test` fails while any is empty or fuzzy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYBABEL=.venv/app/bin/pybabel
export PYTHONPATH="$PWD"
$PYBABEL extract -F locales/babel.cfg -o locales/messages.pot --no-wrap --sort-by-file \
  --project=Wegwijs --copyright-holder=Wegwijs --omit-header . >/dev/null
for lang in ar uk tr ti nl; do
  po="locales/$lang/LC_MESSAGES/messages.po"
  if [ -f "$po" ]; then
    $PYBABEL update -i locales/messages.pot -d locales -l "$lang" --no-wrap --ignore-obsolete --no-fuzzy-matching >/dev/null
  else
    $PYBABEL init -i locales/messages.pot -d locales -l "$lang" --no-wrap >/dev/null
  fi
done
.venv/app/bin/python -m core.fill_source_catalogue locales/nl/LC_MESSAGES/messages.po
echo "catalogues updated; translate the empty entries in locales/*/LC_MESSAGES/messages.po" >&2
