"""Delivery over SMTP with the standard library: plain, STARTTLS or SSL, optional login, one
connection per run, a timeout on every network step. Every failure becomes a ``DeliveryError``
with a message the officer can read; nothing here touches the database."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from remiss.core.time import utcnow

SECURITY_CHOICES = ("none", "starttls", "ssl")
ICS_FILENAME = "sista-svarsdag.ics"


class DeliveryError(Exception):
    """A message could not be handed to the mail server."""


def build_email(message, sender: str) -> EmailMessage:
    """The RFC 5322 message for an outbox row: text and HTML alternatives, and the deadline as an
    ``.ics`` attachment when there is one. The Message-ID is derived from the row, so a mail
    system that saw it once recognises a repeat."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_address
    if message.cc_address:
        email["Cc"] = message.cc_address
    email["Date"] = format_datetime(message.created_at or utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "remiss.invalid"
    email["Message-ID"] = f"<remiss-message-{message.id}.{message.kind.value}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.ics:
        email.add_attachment(
            message.ics, subtype="calendar", filename=ICS_FILENAME, params={"method": "PUBLISH"}
        )
    return email


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{address} ({code})" for address, (code, _) in error.recipients.items())
        return f"E-postservern tog inte emot mottagaren: {refused}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"Inloggningen på e-postservern misslyckades ({error.smtp_code})."
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else ""
        return f"E-postservern svarade {error.smtp_code}: {text}".strip()
    if isinstance(error, socket.timeout | TimeoutError):
        return "E-postservern svarade inte i tid."
    return f"{type(error).__name__}: {error}"


class Mailer:
    """One SMTP connection, opened at the first message and closed at the end of the run. Once
    connecting has failed, the rest of the run fails at once instead of waiting for each
    message's timeout."""

    def __init__(self, config) -> None:
        self.host = config["MAIL_HOST"]
        self.port = int(config["MAIL_PORT"])
        self.security = (config["MAIL_SECURITY"] or "none").lower()
        if self.security not in SECURITY_CHOICES:
            raise ValueError(f"MAIL_SECURITY must be one of {', '.join(SECURITY_CHOICES)}")
        self.username = config["MAIL_USERNAME"]
        self.password = config["MAIL_PASSWORD"]
        self.timeout = float(config["MAIL_TIMEOUT"])
        self.sender = config["MAIL_SENDER"]
        self._smtp: smtplib.SMTP | None = None
        self._connect_error: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        where = f"{self.host}:{self.port}"
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    smtp.ehlo()
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as error:
            self._connect_error = f"Kunde inte ansluta till e-postservern {where}: {_describe(error)}"
            raise DeliveryError(self._connect_error) from error
        return smtp

    def send(self, email: EmailMessage) -> None:
        if self._connect_error is not None:
            raise DeliveryError(self._connect_error)
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(email)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise DeliveryError(_describe(error)) from error  # the connection is still good
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise DeliveryError(_describe(error)) from error

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
