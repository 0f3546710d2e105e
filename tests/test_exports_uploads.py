"""Exports that never run what users typed, uploads stored and served by their real type, image bombs refused,
files that follow their database rows, and the similar-initiatives hint limited to what the reader may see."""
from __future__ import annotations

import csv
import io
import os
import re
import struct
import zlib
from datetime import datetime

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from app.domain import workflow
from app.extensions import db
from app.models import Attachment, InitiativeAuthor, Status, Unit, User
from app.submissions import service as submissions

from . import factories
from .conftest import login
from .test_submissions import complete, jpeg_bytes, new_key, only_initiative

HYPERLINK = '=HYPERLINK("http://x","y")'


def move(app, world, author_key, status, title="Cải tiến bếp ăn bán trú vùng cao", when=None, co_author=None,
         co_author_id=None):
    """An initiative of ``author_key`` moved through the workflow to ``status``."""
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        admin = db.session.get(User, world.admin)
        item = factories.initiative(world.campaign, author, title=title)
        if co_author:
            item.authors.append(InitiativeAuthor(full_name=co_author, job_title="+Tổ trưởng", share_percent=0,
                                                 position_order=1, user_id=co_author_id))
        if status != Status.DRAFT:
            workflow.transition(item, Status.SUBMITTED, author, now=when)
        if status in (Status.VALID, Status.SHORTLISTED, Status.AWARDED):
            workflow.transition(item, Status.VALID, admin, now=when)
        if status in (Status.SHORTLISTED, Status.AWARDED):
            workflow.transition(item, Status.SHORTLISTED, admin)
        if status == Status.AWARDED:
            workflow.transition(item, Status.AWARDED, admin)
        if status in (Status.INVALID, Status.RETURNED):
            workflow.transition(item, status, admin, reason_code="other", now=when)
        if status == Status.WITHDRAWN:
            workflow.transition(item, Status.WITHDRAWN, author)
        db.session.commit()
        return item.id


def assert_no_formula(data: bytes, *texts: str) -> list:
    """Read the XLSX back: not one formula cell, and every text is there unchanged."""
    values = []
    for row in load_workbook(io.BytesIO(data)).active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            values.append(cell.value)
    for text in texts:
        assert text in values, text
    return values


# --- 1. formula injection in exports --------------------------------------------------------------------------

def test_award_annex_writes_formula_like_names_and_titles_as_text(app, client, world):
    item = move(app, world, "member_a1", Status.SHORTLISTED, title="@SUM(1+1) bếp ăn", co_author=HYPERLINK)
    login(client, world.organizer_p_phone)
    page = client.get(f"/awards/{item}/award").get_data(as_text=True)
    client.form(f"/awards/{item}/award", {
        "level_id": re.search(r'name="level_id" value="(\d+)"', page).group(1),
        "recipients": re.findall(r'name="recipients" value="(\w+)"', page),
        "decision_number": "-125/QĐ", "decision_date": "2022-06-10"})
    data = client.get("/awards/list?format=xlsx").data
    values = assert_no_formula(data, HYPERLINK, "@SUM(1+1) bếp ăn", "+Tổ trưởng", "-125/QĐ", "Lò Văn Một")
    assert 1 in values and 2 in values  # the row numbers stay numbers
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["J4"].value.date().isoformat() == "2022-06-10" and sheet["J4"].number_format == "DD/MM/YYYY"
    rows = list(csv.reader(io.StringIO(client.get("/awards/list?format=csv").data.decode("utf-8-sig"))))
    by_name = {row[1]: row for row in rows[1:]}
    hostile = by_name["'" + HYPERLINK]
    assert hostile[2] == "'+Tổ trưởng" and hostile[4] == "'@SUM(1+1) bếp ăn" and hostile[8] == "'-125/QĐ"
    assert hostile[9] == "10/06/2022" and by_name["Lò Văn Một"][0] == "1"


def test_weekly_report_writes_hostile_unit_names_as_text_and_numbers_as_numbers(app, client, world):
    with app.app_context():
        district = db.session.get(Unit, world.district_a)
        district.name, district.code = "\t=1+2 huyện", "-A"
        db.session.commit()
    move(app, world, "member_a1", Status.VALID, when=datetime(2022, 5, 3, 9))
    move(app, world, "member_b1", Status.VALID, when=datetime(2022, 5, 3, 9))
    login(client, world.organizer_p_phone)
    url = f"/admin/campaigns/{world.campaign}/report?week=2022-05-02"
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").data)).active
    assert_no_formula(client.get(url + "&format=xlsx").data, "\t=1+2 huyện", "-A")
    rows = {r[3]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["-A"][7] == 1 and isinstance(rows["-A"][10], int) and rows["-A"][11] == round(100 / 60, 1)
    report = list(csv.reader(io.StringIO(client.get(url + "&format=csv").data.decode("utf-8-sig"))))
    hostile = next(row for row in report if row[3] == "'-A")
    assert hostile[2] == "'\t=1+2 huyện" and hostile[7] == "1"


def test_negative_numbers_and_plain_text_are_not_mangled(app):
    from app.exports import csv_bytes, xlsx_bytes
    rows = [[-5, None, -2.5, "a-b", "Tổ = tốt"]]
    assert csv_bytes(("x",), rows).decode("utf-8-sig").splitlines()[1] == "-5,,-2.5,a-b,Tổ = tốt"
    sheet = load_workbook(io.BytesIO(xlsx_bytes("T", [], ("x",), rows))).active
    assert [c.value for c in sheet[2]] == [-5, None, -2.5, "a-b", "Tổ = tốt"]
    assert (sheet["A2"].data_type, sheet["C2"].data_type) == ("n", "n")


# --- 2. uploads: named and typed by content; files follow the transaction -------------------------------------

def png_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG of any size, a few KB: compressed row by row, never held as pixels."""
    packer, row = zlib.compressobj(9), b"\0" * (1 + (width + 7) // 8)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def files_in(app) -> set[str]:
    folder = app.config["UPLOAD_DIR"]
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def send(client, files, **fields):
    data = complete(submit_key=new_key(client), action="draft", **fields)
    data["attachments"] = files
    return client.form("/initiatives/new", data, content_type="multipart/form-data")


def attachments(app) -> list[Attachment]:
    with app.app_context():
        return db.session.scalars(select(Attachment).order_by(Attachment.id)).all()


def test_uploads_are_named_and_served_as_what_they_really_are(app, client, world):
    login(client, world.member_a1_phone)
    polyglot = jpeg_bytes() + b"<html><script>alert(1)</script></html>"
    send(client, [(io.BytesIO(b"%PDF-1.4\n<html><script>alert(1)</script>"), "x.html"),
                  (io.BytesIO(polyglot), "polyglot.html"), (io.BytesIO(jpeg_bytes()), "ảnh.jpeg"),
                  (io.BytesIO(png_bytes()), ".html")])
    stored = attachments(app)
    assert [(a.original_name, a.content_type) for a in stored] == [
        ("x.pdf", "application/pdf"), ("polyglot.jpg", "image/jpeg"), ("ảnh.jpeg", "image/jpeg"),
        ("html.png", "image/png")]
    assert [a.stored_name.rsplit(".", 1)[1] for a in stored] == ["pdf", "jpg", "jpg", "png"]
    for item, name, content_type in ((stored[0], "x.pdf", "application/pdf"),
                                     (stored[1], "polyglot.jpg", "image/jpeg")):
        download = client.get(f"/initiatives/attachments/{item.id}")
        assert download.status_code == 200 and download.mimetype == content_type
        assert download.headers["Content-Disposition"] == f"attachment; filename={name}"
        assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_attachments_stored_before_the_fix_are_served_under_their_real_extension(app, client, world):
    item_id = move(app, world, "member_a1", Status.DRAFT)
    with app.app_context():
        os.makedirs(app.config["UPLOAD_DIR"], exist_ok=True)
        with open(os.path.join(app.config["UPLOAD_DIR"], "old.pdf"), "wb") as handle:
            handle.write(b"%PDF-1.4\n")
        row = Attachment(initiative_id=item_id, original_name="báo cáo.html", stored_name="old.pdf",
                         content_type="application/pdf", size=9, uploaded_by_id=world.member_a1)
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    login(client, world.member_a1_phone)
    download = client.get(f"/initiatives/attachments/{row_id}")
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].endswith("filename*=UTF-8''b%C3%A1o%20c%C3%A1o.pdf")


def test_files_written_by_a_request_that_does_not_commit_are_removed(app, client, world, monkeypatch):
    login(client, world.member_a1_phone)

    def lost_race(initiative, user):  # someone submitted the same draft a moment earlier
        raise workflow.AlreadyDecided(initiative.id)

    monkeypatch.setattr(submissions, "submit", lost_race)
    data = complete(submit_key=new_key(client), attachments=[(io.BytesIO(jpeg_bytes()), "ảnh.jpg")])
    assert client.form("/initiatives/new", data, content_type="multipart/form-data").status_code == 302
    assert files_in(app) == set() and attachments(app) == []

    def database_gone(initiative, user):
        raise RuntimeError("server closed the connection unexpectedly")

    monkeypatch.setattr(submissions, "submit", database_gone)
    data = complete(submit_key=new_key(client), attachments=[(io.BytesIO(png_bytes()), "ảnh.png")])
    with pytest.raises(RuntimeError):
        client.form("/initiatives/new", data, content_type="multipart/form-data")
    assert files_in(app) == set() and attachments(app) == []


def test_a_removed_attachment_keeps_its_file_until_the_removal_is_committed(app, client, world, monkeypatch):
    login(client, world.member_a1_phone)
    send(client, [(io.BytesIO(jpeg_bytes()), "ảnh.jpg")])
    (photo,) = attachments(app)
    written = {photo.stored_name, photo.stored_name + ".thumb.jpg"}
    assert files_in(app) == written
    item = only_initiative(app)
    edit = complete(submit_key=item.submit_key, remove_attachment=str(photo.id))

    def database_gone(initiative, user):
        raise RuntimeError("server closed the connection unexpectedly")

    monkeypatch.setattr(submissions, "submit", database_gone)
    with pytest.raises(RuntimeError):
        client.form(f"/initiatives/{item.id}/edit", edit)
    assert files_in(app) == written and len(attachments(app)) == 1  # the row is back, so is its file
    monkeypatch.undo()
    client.form(f"/initiatives/{item.id}/edit", dict(edit, action="draft"))
    assert files_in(app) == set() and attachments(app) == []



def test_a_rolled_back_removal_never_deletes_the_file_later(app, client, world):
    login(client, world.member_a1_phone)
    send(client, [(io.BytesIO(png_bytes()), "sơ đồ.png")])
    written = files_in(app)
    from app.domain import uploads
    with app.app_context():
        uploads.remove(db.session.scalar(select(Attachment)))
        db.session.rollback()  # the removal is off ...
        db.session.commit()  # ... so a later commit in the same session must not delete the file
    assert files_in(app) == written and len(attachments(app)) == 1

def test_a_removal_is_undone_by_a_rollback_and_done_by_a_commit(app, client, world):
    """The domain call itself: the file stays as long as its row may come back, and goes with the commit."""
    from app.domain import uploads
    login(client, world.member_a1_phone)
    send(client, [(io.BytesIO(jpeg_bytes()), "ảnh.jpg")])
    written = files_in(app)
    with app.app_context():
        uploads.remove(db.session.scalar(select(Attachment)))
        db.session.flush()  # the DELETE has reached the database ...
        db.session.rollback()  # ... and is undone
        assert files_in(app) == written and db.session.scalar(select(Attachment)) is not None
        uploads.remove(db.session.scalar(select(Attachment)))
        db.session.flush()
        assert files_in(app) == written  # not before the commit
        db.session.commit()
    assert files_in(app) == set() and attachments(app) == []


def test_files_follow_savepoints(app, client, world):
    """A savepoint rolled back undoes its removals (the row is back) and its new files (the row is gone), even
    when the transaction around it commits; one released waits for the transaction around it."""
    from werkzeug.datastructures import FileStorage

    from app.domain import uploads
    login(client, world.member_a1_phone)
    send(client, [(io.BytesIO(jpeg_bytes()), "ảnh.jpg")])
    written = files_in(app)
    with app.app_context():
        photo = db.session.scalar(select(Attachment))
        savepoint = db.session.begin_nested()
        uploads.remove(photo)
        savepoint.rollback()
        savepoint = db.session.begin_nested()
        photo = db.session.scalar(select(Attachment))
        uploads.store(FileStorage(io.BytesIO(png_bytes()), "sơ đồ.png"), photo.initiative,
                      db.session.get(User, world.member_a1))
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
    assert files_in(app) == written and len(attachments(app)) == 1
    with app.app_context():  # a savepoint released is not the commit: the transaction may still roll back
        with db.session.begin_nested():
            uploads.remove(db.session.scalar(select(Attachment)))
        assert files_in(app) == written
        db.session.rollback()
    assert files_in(app) == written  # (pysqlite commits on RELEASE without a BEGIN, so the row is not checked)

# --- 3. image bombs, corrupt images ---------------------------------------------------------------------------

@pytest.mark.parametrize("width,height", [(12000, 12000), (20000, 20000)])
def test_image_bombs_are_refused_before_decoding(app, client, world, width, height):
    bomb = huge_png(width, height)
    assert len(bomb) < 150_000
    login(client, world.member_a1_phone)
    response = send(client, [(io.BytesIO(bomb), "sơ đồ.png")])
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Ảnh “sơ đồ.png” quá nhiều điểm ảnh: tối đa 40 triệu điểm ảnh." in body
    assert "Cải tiến quy trình tiếp đón bệnh nhân" in body  # nothing typed is lost
    assert attachments(app) == [] and files_in(app) == set()


def test_pixel_cap_is_a_setting(app_factory, world):
    app = app_factory(MAX_IMAGE_PIXELS=100 * 100)
    client = app.test_client()
    login(client, world.member_a1_phone)
    body = send(client, [(io.BytesIO(jpeg_bytes((101, 100))), "to.jpg"),
                         (io.BytesIO(jpeg_bytes((100, 100))), "vua.jpg")]).get_data(as_text=True)
    assert "Ảnh “to.jpg” quá nhiều điểm ảnh: tối đa 0.01 triệu điểm ảnh." in body
    assert [a.original_name for a in attachments(app)] == ["vua.jpg"]


def test_corrupt_or_cut_off_images_are_refused(app, client, world):
    good = png_bytes()
    crc_at = good.index(b"IDAT") + 4 + struct.unpack(">I", good[good.index(b"IDAT") - 4:good.index(b"IDAT")])[0]
    bad_checksum = good[:crc_at] + b"\0\0\0\0" + good[crc_at + 4:]  # the pixels decode, the checksum lies
    photo = jpeg_bytes()
    login(client, world.member_a1_phone)
    body = send(client, [(io.BytesIO(bad_checksum), "hong.png"), (io.BytesIO(good[:-12]), "cut.png"),
                         (io.BytesIO(photo[:len(photo) // 2]), "nua.jpg")]).get_data(as_text=True)
    assert "“hong.png” không phải ảnh JPG/PNG, PDF hay DOCX thật." in body
    assert "“cut.png” không phải ảnh JPG/PNG, PDF hay DOCX thật." in body
    assert "Ảnh “nua.jpg” bị hỏng hoặc không đầy đủ: hãy gửi lại ảnh gốc." in body
    assert attachments(app) == [] and files_in(app) == set()



# --- 4. the similar-initiatives hint shows each reader only what they may see ----------------------------------

HINT_ITEMS = [  # (code word in the title, author, status)
    ("alpha", "member_b1", Status.SUBMITTED), ("bravo", "member_b1", Status.RETURNED),
    ("charlie", "member_b1", Status.INVALID), ("delta", "member_b1", Status.VALID),
    ("echo", "member_b1", Status.SHORTLISTED), ("foxtrot", "member_b1", Status.AWARDED),
    ("golf", "member_b1", Status.DRAFT), ("hotel", "member_b1", Status.WITHDRAWN),
    ("india", "member_a1", Status.SUBMITTED), ("juliet", "member_a1", Status.INVALID),
    ("kilo", "member_a2", Status.SUBMITTED),
]
PUBLIC = {"delta", "echo", "foxtrot"}
LABELS = {Status.SUBMITTED: "Chờ thẩm định", Status.RETURNED: "Trả lại để bổ sung", Status.INVALID: "Không hợp lệ",
          Status.VALID: "Hợp lệ", Status.SHORTLISTED: "Vào danh sách đề cử", Status.AWARDED: "Được khen thưởng"}


def what_the_hint_shows(client) -> dict[str, str | None]:
    """code word -> the status label shown (None: title and unit only), for every item the hint lists."""
    shown = {}
    for word, _author, status in HINT_ITEMS:
        body = client.htmx("/initiatives/similar", query_string={"title": word}).get_data(as_text=True)
        if f"Sáng kiến {word}" in body:
            assert "CĐCS" in body  # the unit is always there
            shown[word] = LABELS[status] if f"· {LABELS[status]} ·" in body else None
    return shown


@pytest.mark.parametrize("reader,expected", [
    ("member_a1b", {w: None for w in PUBLIC}),
    ("member_a1", {**{w: None for w in PUBLIC}, "india": "Chờ thẩm định", "juliet": "Không hợp lệ"}),
    ("helper_b1", {"alpha": "Chờ thẩm định", "bravo": "Trả lại để bổ sung", "charlie": "Không hợp lệ",
                   "delta": "Hợp lệ", "echo": "Vào danh sách đề cử", "foxtrot": "Được khen thưởng"}),
    ("reviewer_a", {**{w: None for w in PUBLIC}, "india": "Chờ thẩm định", "juliet": "Không hợp lệ",
                    "kilo": "Chờ thẩm định"}),
    ("organizer_p", {w: LABELS[s] for w, _a, s in HINT_ITEMS if s not in (Status.DRAFT, Status.WITHDRAWN)}),
])
def test_similar_hint_shows_only_what_the_reader_may_see(app, client, world, reader, expected):
    for word, author, status in HINT_ITEMS:
        move(app, world, author, status, title=f"Sáng kiến {word} cải tiến")
    login(client, getattr(world, f"{reader}_phone"))
    assert what_the_hint_shows(client) == expected


@pytest.mark.parametrize("reader,older_author,older_status", [
    ("member_a1b", "member_b1", Status.VALID), ("reviewer_a", "member_a1", Status.SUBMITTED)])
def test_the_hint_fills_its_five_places_with_what_the_reader_may_see(app, client, world, reader, older_author,
                                                                     older_status):
    move(app, world, older_author, older_status, title="Bếp ăn bán trú tiết kiệm củi")
    for n in range(6):  # newer and closer matches the reader may not see
        move(app, world, "member_b1", Status.SUBMITTED, title=f"Bếp ăn bán trú tiết kiệm củi lần {n}")
    login(client, getattr(world, f"{reader}_phone"))
    body = client.htmx("/initiatives/similar", query_string={"title": "bếp ăn bán trú"}).get_data(as_text=True)
    assert re.findall(r"<li>([^<]*?) <span", body) == ["Bếp ăn bán trú tiết kiệm củi"]


def test_the_hint_defers_to_the_policy(app, client, world, monkeypatch):
    from app import policy
    for word, author, status in HINT_ITEMS:
        move(app, world, author, status, title=f"Sáng kiến {word} cải tiến")
    login(client, world.organizer_p_phone)
    monkeypatch.setattr(policy, "can_view_initiative", lambda user, initiative: False)
    assert what_the_hint_shows(client) == {w: None for w in PUBLIC}  # what the public sees, nothing more


def test_a_co_author_sees_the_status_of_the_initiative_they_share(app, client, world):
    move(app, world, "member_b1", Status.INVALID, title="Sáng kiến chung hai đơn vị", co_author="Vàng Thị Hai",
         co_author_id=world.member_a1b)
    login(client, world.member_a1b_phone)
    body = client.htmx("/initiatives/similar", query_string={"title": "chung hai"}).get_data(as_text=True)
    assert "Sáng kiến chung hai đơn vị" in body and "· Không hợp lệ ·" in body


@pytest.mark.parametrize("query", [{"title": "bếp\x00ăn"}, {"title": "bep an", "exclude": "9" * 40},
                                   {"title": "%_\\ bếp"}, {"title": "x" * 5000}])
def test_hostile_hint_queries_get_an_answer_not_a_500(app, client, world, query):
    move(app, world, "member_b1", Status.VALID, title="Bếp ăn bán trú")
    login(client, world.member_a1_phone)
    assert client.htmx("/initiatives/similar", query_string=query).status_code == 200


@pytest.mark.parametrize("url", ["/initiatives/attachments/2147483648",
                                 "/initiatives/attachments/9999999999999999999999/thumb"])
def test_attachment_ids_beyond_the_database_range_answer_404(client, world, url):
    login(client, world.member_a1_phone)
    assert client.get(url).status_code == 404
