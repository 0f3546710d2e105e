"""The national programme the demo campaign runs inside, with the eligibility rules of its phase 1."""
from __future__ import annotations

from datetime import date

from ..extensions import db
from ..models import Campaign, EligibilityRule, Programme

PROGRAMME_SLUG = "01-trieu-sang-kien-giai-doan-1"
# Phase 1 counts initiatives first applied from this day (the demo's setting; organizers edit it).
APPLIED_FROM = date(2021, 7, 1)


def add_national_programme(campaign: Campaign) -> Programme:
    """Create the programme with its rules and put ``campaign`` inside it; flushes."""
    programme = Programme(
        slug=PROGRAMME_SLUG, name="Chương trình \"01 triệu sáng kiến\" – giai đoạn 1",
        description=("Chương trình \"01 triệu sáng kiến – nỗ lực vượt khó, sáng tạo, quyết tâm chiến thắng đại dịch "
                     "Covid-19\" của Tổng Liên đoàn Lao động Việt Nam."),
        start_date=date(2021, 7, 1), end_date=date(2023, 12, 31))
    db.session.add(programme)
    db.session.flush()
    db.session.add_all([
        EligibilityRule(programme_id=programme.id, kind="applied_window", position=0, date_from=APPLIED_FROM,
                        label="Sáng kiến được áp dụng lần đầu từ ngày 01/07/2021 đến ngày đăng ký",
                        explanation=("Sáng kiến đã áp dụng trước ngày 01/07/2021 thuộc giai đoạn trước, không tính "
                                     "vào chương trình; ngày áp dụng không được sau ngày gửi.")),
        EligibilityRule(programme_id=programme.id, kind="evidence", position=1,
                        label="Có xác nhận của thủ trưởng cơ quan, đơn vị về việc sáng kiến đã được áp dụng",
                        explanation=("Xác nhận bằng văn bản (ảnh chụp hoặc tệp PDF đính kèm) của thủ trưởng nơi "
                                     "sáng kiến được áp dụng.")),
    ])
    campaign.programme_id = programme.id
    db.session.flush()
    return programme
