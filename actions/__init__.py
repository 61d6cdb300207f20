"""Custom actions, run by rasa_sdk's executor over Rasa's action server protocol (mounted in the app)."""
