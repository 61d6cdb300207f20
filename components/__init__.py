"""Custom Rasa components. Loaded by the engine only (from config.yml); normalize.py is pure Python."""
