"""The Wegwijs app: channels, conversation service, NLG and action endpoints for the Rasa engine."""
