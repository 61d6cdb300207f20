"""Messenger channels (Telegram, WhatsApp): each turns its platform's updates into InboundMessage
for the conversation service and sends replies and later messages back in the platform's form."""
