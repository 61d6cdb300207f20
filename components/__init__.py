"""Custom Rasa components, loaded by the engine only (from config.yml)."""
