"""A real SMTP server for the tests (aiosmtpd on a free local port): what it received, and how it misbehaves.

Used by tests/test_delivery.py (the outbox's failure modes) and tests/test_notify_end_to_end.py (every event
reaching the inbox and e-mail): a module imports ``smtp_server`` to get the fixture ``smtp``."""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the SMTP server received, and how it should misbehave."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.data_replies: list[str] = []   # replies to DATA before it accepts (e.g. "451 …")
        self.refuse_recipients = False
        self.hold = threading.Event()       # set: the server stalls on RCPT (a client killed there sent nothing)
        self.holding = threading.Event()    # set by the server once a client is stalled

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return "550 5.1.1 mailbox unavailable"
        while self.hold.is_set():
            self.holding.set()
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]


@pytest.fixture(name="smtp")
def smtp_server():
    """The fixture ``smtp``: a running server on a free port (``.port``), its Mailbox."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port  # type: ignore[attr-defined]
    yield mailbox
    mailbox.hold.clear()
    controller.stop()
