"""Shared basics of the app: settings, languages, translations, domain content. No project imports."""
