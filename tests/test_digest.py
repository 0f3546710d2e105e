"""The weekly digest: its text, the organizer's text page, the command, and sending over real SMTP."""
from __future__ import annotations

import socketserver
import threading
from datetime import datetime

from app.domain import workflow
from app.extensions import db
from app.models import Status, User

from . import factories
from .conftest import login


def decided(app, world, author_key, status, when):
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        item = factories.initiative(world.campaign, author)
        workflow.transition(item, Status.SUBMITTED, author, now=when)
        if status != Status.SUBMITTED:
            workflow.transition(item, status, db.session.get(User, world.admin), now=when,
                                reason_code=None if status == Status.VALID else "other")
        db.session.commit()


def test_digest_text_page_for_a_district(app, client, world):
    decided(app, world, "member_a1", Status.VALID, datetime(2022, 5, 3, 9))
    decided(app, world, "member_a2", Status.RETURNED, datetime(2022, 5, 4, 9))
    login(client, world.organizer_a_phone)
    response = client.get(f"/admin/campaigns/{world.campaign}/digest.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain" and len(response.data) < 2000
    assert "Chiến dịch thử — LĐLĐ huyện Ả" in text
    assert "Tổng: 2 đã gửi, 1 hợp lệ, 0 chờ thẩm định, 1 đang trả lại để bổ sung" in text
    assert "Chỉ tiêu 60: đạt 2%, còn thiếu 59 sáng kiến hợp lệ." in text
    assert "Nhắc tác giả có sáng kiến bị trả lại" in text
    assert client.get(f"/admin/campaigns/{world.campaign}/digest.txt?unit={world.district_b}").status_code == 404


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message (a real socket, a real protocol exchange)."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go on\r\n")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data)
                self.server.messages.append(b"".join(body).decode())
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def test_weekly_digest_command_prints_and_sends(app_factory, world):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1], MAIL_USE_TLS=False,
                          MAIL_FROM="sangkien@example.vn")
        decided(app, world, "member_a1", Status.VALID, datetime(2022, 5, 3, 9))
        with app.app_context():
            db.session.get(User, world.organizer_p).email = "tochuc@example.vn"
            db.session.commit()
        printed = app.test_cli_runner().invoke(args=["weekly-digest", "--week", "2022-05-04"])
        assert printed.exit_code == 0 and "LĐLĐ tỉnh Thử" in printed.output and "LĐLĐ huyện Ả" in printed.output
        sent = app.test_cli_runner().invoke(args=["weekly-digest", "--week", "2022-05-04", "--send"])
        assert sent.exit_code == 0 and "Sent 1 digests." in sent.output
        assert len(server.messages) == 1
        assert "To: tochuc@example.vn" in server.messages[0] and "Subject: =?utf-8?" in server.messages[0]
    finally:
        server.shutdown()
        server.server_close()
