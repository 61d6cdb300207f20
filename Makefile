# Wegwijs: the two commands a newcomer needs are `make run` and `make test`.
# Every target sets up what it needs first (environments, catalogues, model), cached by content.
SHELL := /bin/bash
APP_PY := .venv/app/bin/python

.PHONY: run test bench setup i18n lock-app clean

run: setup  ## start the engine and the app; chat at http://localhost:8000/chat
	$(APP_PY) -m bot.launch

test: setup  ## run every test (unit, end-to-end with the real engine, NLU evaluation, desk in Chromium)
	@scripts/setup.sh browser
	$(APP_PY) -m pytest

bench: setup  ## throughput and latency of the app versus the bare engine
	$(APP_PY) -m bot.bench

setup:
	@scripts/setup.sh all

i18n:  ## after changing texts: refresh messages.pot and the five catalogues
	@scripts/setup.sh envs
	@scripts/i18n.sh

lock-app:  ## re-pin requirements/app.txt from requirements/app.in
	@scripts/lock-app.sh

clean:  ## remove local runtime state (databases, logs, model link); the cache stays
	rm -rf var models .venv locales/*/LC_MESSAGES/*.mo
