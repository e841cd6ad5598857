"""Send queued mails: by SMTP when MAIL_SERVER is set, else to the log (development)."""

import email.errors
import logging
import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select

from service.models import Notification, db

log = logging.getLogger("service.mail")
MAX_ATTEMPTS = 5
BATCH = 100
RETRY_SECONDS = 60
_retry_after: dict = {}  # (server, port) -> when this process may try a failed server again
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def deliver(now) -> int:
    """Send what is queued; return how many mails went out (or to the log)."""
    mails = list(db.session.scalars(select(Notification).where(
        Notification.status == "queued").order_by(Notification.id).limit(BATCH)))
    if not mails:
        return 0
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        for mail in mails:
            log.info("mail to %s: %s\n%s", mail.address, mail.subject, mail.body)
            mail.status, mail.sent_at = "logged", now
        return len(mails)
    server = (config["MAIL_SERVER"], config["MAIL_PORT"])
    if server in _retry_after and now < _retry_after[server]:
        return 0
    sent = 0
    try:
        with _connect(config) as smtp:
            for mail in mails:
                sent += _send(smtp, config["MAIL_FROM"], mail, now)
        _retry_after.pop(server, None)
    except (OSError, smtplib.SMTPException) as exc:  # the server is down: try again later
        _retry_after[server] = now + timedelta(seconds=RETRY_SECONDS)
        for mail in mails:
            if mail.status == "queued":
                _failed(mail, f"{exc.__class__.__name__}: {exc}")
    return sent


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                        timeout=config["MAIL_TIMEOUT"])
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def header(value: str) -> str:
    """Return text fit for a mail header: line breaks (a multi-line task name) become spaces."""
    return " ".join(LINE_BREAKS.sub(" ", value or "").split())


def build(sender: str, mail: Notification) -> EmailMessage:
    """Return the message to send; raise ValueError when no message can carry it."""
    message = EmailMessage()
    message["From"], message["To"] = header(sender), header(mail.address)
    message["Subject"] = header(mail.subject)
    message["Message-ID"] = make_msgid(domain="linkpass.flow")
    message.set_content(mail.body)
    try:
        message.as_bytes(policy=SMTP_POLICY.clone(utf8=True))  # what sending will write
    except (LookupError, UnicodeError, email.errors.MessageError) as exc:
        raise ValueError(str(exc)) from exc
    return message


def _send(smtp: smtplib.SMTP, sender: str, mail: Notification, now) -> int:
    """Send one mail; a mail that cannot be built or is refused fails alone, with its reason.

    A broken connection (OSError, SMTPServerDisconnected) is the server's failure: it goes up,
    and the batch waits for the server.
    """
    if not mail.address:
        mail.status, mail.error = "failed", "no address"
        return 0
    try:
        smtp.send_message(build(sender, mail))
    except smtplib.SMTPRecipientsRefused as exc:
        mail.status, mail.error = "failed", f"refused: {exc}"  # an address refused for good
        return 0
    except (ValueError, TypeError, smtplib.SMTPNotSupportedError) as exc:
        mail.status, mail.error = "failed", f"cannot be sent: {exc}"[:1000]
        return 0
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:  # refused for good (policy, content, sender)
            mail.status, mail.error = "failed", f"refused: {exc.smtp_code} {exc.smtp_error!r}"
        else:
            _failed(mail, f"{exc.smtp_code} {exc.smtp_error!r}")
        return 0
    mail.status, mail.sent_at, mail.error = "sent", now, None
    return 1


def _failed(mail: Notification, error: str) -> None:
    mail.attempts += 1
    mail.error = error
    if mail.attempts >= MAX_ATTEMPTS:
        mail.status = "failed"
