"""Builders for invitation tests: a real SMTP server on localhost, participant lists, received mails."""

import re
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from io import StringIO

from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client

from tests.surveys.builders import post_page, start

LINK = re.compile(r"https?://\S+/i/([A-Za-z0-9_-]+)/")
OPT_OUT = re.compile(r"https?://\S+/studies/opt-out/([A-Za-z0-9_-]+)/")


@dataclass
class Received:
    to: str
    subject: str
    body: str
    list_unsubscribe: str = ""

    @property
    def token(self) -> str:
        return LINK.search(self.body).group(1)

    @property
    def link(self) -> str:
        return LINK.search(self.body).group(0)

    @property
    def opt_out_token(self) -> str:
        return OPT_OUT.search(self.body).group(1)


@dataclass
class MailSink:
    """What the SMTP server accepted; recipients in `refuse` get a permanent 550 instead."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message: EmailMessage = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.messages.append(Received(recipient.lower(), str(message["Subject"]), message.get_content(),
                                              str(message["List-Unsubscribe"] or "").strip()))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [message for message in self.messages if message.to == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_server(sink: MailSink) -> Controller:
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def participant_csv(rows: list[tuple], header: str = "email,language,role") -> str:
    return "\n".join([header] + [",".join(row) for row in rows]) + "\n"


def send_invitations(tmp_path, wave, rows: list[tuple]) -> None:
    """Import the rows as a participant list and send the invitations now, as `send_invitations` does."""
    path = tmp_path / "participants.csv"
    path.write_text(participant_csv(rows), encoding="utf-8")
    call_command("send_invitations", wave.slug, "--participants", str(path), stdout=StringIO())


def complete(wave, token: str) -> None:
    """A participant opens their link and answers the small survey to the end."""
    client = Client()
    start(client, wave, token)
    post_page(client, wave, "about", {"role": "nurse"})
    post_page(client, wave, "data", {"data_kinds": ["public"]})
    post_page(client, wave, "rating", {"satisfaction": "4"})
