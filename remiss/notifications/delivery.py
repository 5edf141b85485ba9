"""Delivery over SMTP with the standard library: plain, STARTTLS or SSL, optional login, one
connection per run, a timeout on every network step. Every failure becomes a ``DeliveryError``
with a message the officer can read; nothing here touches the database."""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from remiss.core.text import one_line
from remiss.core.time import utcnow

SECURITY_CHOICES = ("none", "starttls", "ssl")
ICS_FILENAME = "sista-svarsdag.ics"


class DeliveryError(Exception):
    """A message could not be handed to the mail server. ``permanent``: trying again will not
    help (the server refused the recipient or the content for good, the message cannot be
    built); otherwise it is retried later (the server is down, busy, or refused for now)."""

    def __init__(self, text: str, *, permanent: bool = False) -> None:
        super().__init__(text)
        self.permanent = permanent


class UnsendableMessage(DeliveryError):
    """The message itself cannot become an e-mail (an address that is not one, …)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, permanent=True)


# One address as the SMTP envelope takes it: local part @ domain, no spaces, brackets, commas.
_ADDRESS = re.compile(r'[^@\s<>()\[\],;:\\"]+@[^@\s<>()\[\],;:\\"]+')


def header_text(value: str | None) -> str:
    """Text for a header: one line, no control characters (``core.text.one_line``)."""
    return one_line(value)


def address(value: str | None, what: str = "Mottagarens adress") -> str:
    """``value`` as a bare e-mail address for a header, or ``UnsendableMessage``."""
    text = header_text(value)
    if not _ADDRESS.fullmatch(text):
        raise UnsendableMessage(f"{what} ”{text[:100]}” är inte en giltig e-postadress.")
    return text


def build_email(message, sender: str) -> EmailMessage:
    """The RFC 5322 message for an outbox row: text and HTML alternatives, and the deadline as an
    ``.ics`` attachment when there is one. The Message-ID is derived from the row, so a mail
    system that saw it once recognises a repeat. Every header is one line of text (a title with
    a line break in it cannot break the message or add a header), and the addresses must be
    addresses."""
    email = EmailMessage()
    email["Subject"] = header_text(message.subject)
    email["From"] = header_text(sender)
    email["To"] = address(message.to_address)
    if message.cc_address:
        email["Cc"] = address(message.cc_address, "Kopians adress")
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
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"E-postservern kan inte ta emot meddelandet: {error}"
    return f"{type(error).__name__}: {error}"


def _refused_for_good(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
    else:
        codes = [getattr(error, "smtp_code", 0)]
    return bool(codes) and all(500 <= int(code) < 600 for code in codes)


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
            # The connection is still good; a 5xx answer is final, a 4xx one is for now.
            raise DeliveryError(_describe(error), permanent=_refused_for_good(error)) from error
        except smtplib.SMTPNotSupportedError as error:
            # E.g. an address with non-ASCII letters and a server without SMTPUTF8: not now,
            # not later. Nothing was sent on the connection.
            raise DeliveryError(_describe(error), permanent=True) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise DeliveryError(_describe(error)) from error
        except Exception as error:
            # Anything else (the library refusing what it was given): the message cannot be
            # sent as it is; the connection may be mid-command, so a fresh one for the next.
            self._drop()
            raise DeliveryError(
                f"Meddelandet kunde inte skickas: {type(error).__name__}: {error}", permanent=True
            ) from error

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
