"""Staff notifications by e-mail: only the case reference and a link to the desk.

No message text, language, group or anything else about the person goes into the e-mail: mail
leaves our systems and is read on phones. The Message-ID is fixed per case, so if a crash forces
a resend, mail clients see the same message, not a second one.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from core.config import Settings


class MailNotConfigured(RuntimeError):
    """No SMTP host or no team mailbox: notifications wait in the outbox until one is set."""


def notification(settings: Settings, to: str, reference: str, case_id: int) -> EmailMessage:
    domain = settings.mail_from.rpartition("@")[2] or "wegwijs.local"
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = f"Wegwijs: nieuwe vraag {reference}"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<case-{case_id}-{reference}@{domain}>"
    message.set_content(
        "Er is een nieuwe vraag voor de gemeente binnengekomen via Wegwijs.\n\n"
        f"Referentie: {reference}\n"
        f"Open de vraag in de desk: {settings.desk_url}/cases/{case_id}\n\n"
        "Deze e-mail bevat bewust geen persoonsgegevens of de vraag zelf.\n"
    )
    return message


def send(settings: Settings, message: EmailMessage, timeout: float = 20.0) -> None:
    """Deliver one message over SMTP (blocking; run it in a thread)."""
    if not settings.smtp_host:
        raise MailNotConfigured("WEGWIJS_SMTP_HOST is not set")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)
