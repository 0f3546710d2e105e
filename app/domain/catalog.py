"""Code lists shown to users: fields of initiatives, invalid reasons, roles, unit kinds, statuses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import Role, Status, UnitKind

FIELDS = {
    "production": _l("Sản xuất, kinh doanh"),
    "education": _l("Giáo dục, đào tạo"),
    "health": _l("Y tế, chăm sóc sức khỏe"),
    "administration": _l("Hành chính, quản lý"),
    "agriculture": _l("Nông nghiệp, nông thôn"),
    "digital": _l("Chuyển đổi số, công nghệ thông tin"),
    "safety": _l("An toàn, vệ sinh lao động"),
    "other": _l("Lĩnh vực khác"),
}

INVALID_REASONS = {
    "duplicate": _l("Trùng lặp với sáng kiến đã gửi"),
    "copied": _l("Sao chép, không phải của tác giả"),
    "incomplete": _l("Thiếu nội dung bắt buộc"),
    "not_initiative": _l("Không phải là sáng kiến"),
    "out_of_scope": _l("Không thuộc phạm vi chương trình"),
    "other": _l("Lý do khác"),
}

RETURN_REASONS = {
    "unclear_solution": _l("Nội dung giải pháp chưa rõ"),
    "missing_effect": _l("Chưa nêu hiệu quả, lợi ích"),
    "missing_scope": _l("Chưa nêu phạm vi, thời gian áp dụng"),
    "missing_evidence": _l("Cần bổ sung minh chứng"),
    "other": _l("Lý do khác"),
}

ROLES = {
    Role.MEMBER: _l("Đoàn viên"),
    Role.HELPER: _l("Tổ hỗ trợ sáng kiến"),
    Role.REVIEWER: _l("Người thẩm định"),
    Role.ORGANIZER: _l("Cán bộ tổ chức"),
    Role.ADMIN: _l("Quản trị hệ thống"),
}

UNIT_KINDS = {
    UnitKind.PROVINCE: _l("LĐLĐ tỉnh"),
    UnitKind.DISTRICT: _l("LĐLĐ huyện, thành phố"),
    UnitKind.SECTOR: _l("Công đoàn ngành"),
    UnitKind.CIVIL_SERVANTS: _l("Công đoàn Viên chức"),
    UnitKind.GRASSROOTS: _l("Công đoàn cơ sở"),
    UnitKind.COLLECTIVE: _l("Tập thể (tổ, đội, phòng)"),
}

STATUSES = {
    Status.DRAFT: _l("Bản nháp"),
    Status.SUBMITTED: _l("Chờ thẩm định"),
    Status.RETURNED: _l("Trả lại để bổ sung"),
    Status.VALID: _l("Hợp lệ"),
    Status.INVALID: _l("Không hợp lệ"),
    Status.WITHDRAWN: _l("Đã rút"),
    Status.SHORTLISTED: _l("Vào danh sách đề cử"),
    Status.AWARDED: _l("Được khen thưởng"),
}
