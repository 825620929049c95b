"""Email over SMTP: a multipart message, plain text and HTML, every value escaped for HTML."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from pydantic import Field, field_validator

from workbench.routing import escaping
from workbench.routing.destinations.base import (
    DESTINATIONS,
    DeliveryError,
    Destination,
    DestinationConfig,
    Event,
    facts,
    headline,
)


class EmailConfig(DestinationConfig):
    host: str = Field(description="SMTP server")
    port: int | None = Field(None, ge=1, le=65535, description="default 465 with ssl, 587 with starttls, else 25")
    starttls: bool = Field(False, description="upgrade the connection with STARTTLS before logging in")
    ssl: bool = Field(False, description="SMTP over TLS from the first byte (port 465)")
    username: str | None = None
    password: Any = Field(None, description="secret: SMTP password (with username)")
    sender: str = Field(description="From: address")
    to: list[str] = Field(min_length=1, description="recipients")
    subject_prefix: str = "[mantissa]"

    @field_validator("to", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Email(Destination):
    type = "email"
    Config = EmailConfig
    secret_fields = ("password",)
    main_secret = "password"
    default_events = ("trigger", "resolve")

    @classmethod
    def secret_required(cls, config: DestinationConfig, field: str) -> bool:
        return bool(getattr(config, "username", None))

    def message(self, event: Event) -> EmailMessage:
        cfg: EmailConfig = self.config  # type: ignore[assignment]
        rows = facts(event)
        msg = EmailMessage()
        # Header values with CR/LF would inject headers; one_line strips them.
        msg["Subject"] = escaping.one_line(f"{cfg.subject_prefix} {headline(event)}", 200)
        msg["From"], msg["To"] = cfg.sender, ", ".join(cfg.to)
        msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain="mantissa.local")
        msg["X-Mantissa-Alert"] = escaping.one_line(event.alert.id, 200)
        width = max(len(label) for label, _ in rows)
        text = [escaping.plain(headline(event)), ""]
        text += [f"{label:<{width}}  {escaping.plain(value)}" for label, value in rows]
        if event.report_url:
            text += ["", f"Investigation report: {event.report_url}"]
        msg.set_content("\n".join(text) + "\n")
        cells = "".join(f"<tr><th align=\"left\">{escaping.html_text(label)}</th>"
                        f"<td>{escaping.html_text(value)}</td></tr>" for label, value in rows)
        link = (f"<p><a href=\"{escaping.html_text(event.report_url)}\">Open the investigation report</a></p>"
                if event.report_url else "")
        msg.add_alternative(
            "<!doctype html><html><body>"
            f"<h2>{escaping.html_text(headline(event))}</h2><table>{cells}</table>{link}"
            f"<p style=\"color:#777\">alert {escaping.html_text(event.alert.id)} · {event.kind}</p>"
            "</body></html>", subtype="html")
        return msg

    def _send(self, event: Event) -> str | None:
        cfg: EmailConfig = self.config  # type: ignore[assignment]
        msg = self.message(event)
        port = cfg.port or (465 if cfg.ssl else 587 if cfg.starttls else 25)
        try:
            if cfg.ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, port, timeout=self.timeout_s,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(cfg.host, port, timeout=self.timeout_s)
            with smtp:
                if cfg.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if cfg.username:
                    smtp.login(cfg.username, self.secrets.get("password", ""))
                refused = smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP {cfg.host}:{port} refused the login ({exc.smtp_code})", retryable=False,
                                status_code=exc.smtp_code) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"SMTP {cfg.host}:{port} refused every recipient "
                                f"({', '.join(f'{a} {c}' for a, (c, _) in sorted(exc.recipients.items()))})",
                                retryable=all(code < 500 for code in codes), status_code=max(codes)) from None
        except smtplib.SMTPResponseException as exc:
            # 4xx is the server asking to come back later; 5xx is a refusal retrying will not change.
            raise DeliveryError(f"SMTP {cfg.host}:{port} answered {exc.smtp_code}", retryable=exc.smtp_code < 500,
                                status_code=exc.smtp_code) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {cfg.host}:{port}: {type(exc).__name__}: {exc}") from None
        if refused:
            # Some recipients took it: sending again would duplicate theirs, so this is parked, not retried.
            raise DeliveryError(f"SMTP {cfg.host}:{port} delivered, but refused "
                                f"{', '.join(f'{a} {c}' for a, (c, _) in sorted(refused.items()))}",
                                retryable=False)
        return str(msg["Message-ID"])


DESTINATIONS.register("email", Email)
