"""Worked examples for the public FAQ: for each return reason (catalog.RETURN_REASONS), what the reviewer saw, what
was missing, a corrected version and how to avoid it. Written for the province's grassroots unions: real work
situations (schools, health stations, offices, farms), concrete figures."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Example:
    seen: Any       # the part of the initiative the reviewer read
    missing: Any    # what it lacked
    corrected: Any  # the same part, written so it passes
    avoid: Any      # how to avoid the return next time


EXAMPLES: dict[str, Example] = {
    "unclear_solution": Example(
        _l("Nội dung giải pháp: “Áp dụng công nghệ thông tin vào công tác quản lý học sinh để nâng cao hiệu quả.”"),
        _l("Không nói đã làm gì, bằng công cụ nào, theo các bước nào, và điểm mới so với cách làm cũ. Người thẩm "
           "định không thể biết đây có phải là một giải pháp cụ thể hay chỉ là một khẩu hiệu."),
        _l("Nội dung giải pháp: “Lập nhóm Zalo cho từng lớp và một bảng tính Google dùng chung. Mỗi sáng, giáo viên "
           "chủ nhiệm điểm danh trên bảng tính trước 7 giờ 30; học sinh vắng không phép được tô đỏ tự động và giáo "
           "viên nhắn phụ huynh ngay trong nhóm. Trước đây điểm danh ghi sổ giấy, cuối tuần mới tổng hợp, nên phụ "
           "huynh biết con nghỉ học sau 3–5 ngày.”"),
        _l("Viết theo các bước: trước đây làm thế nào → nay làm gì, dùng công cụ gì, ai làm, khi nào → khác trước "
           "ở điểm nào. Tránh các cụm từ chung chung như “nâng cao hiệu quả”, “đổi mới phương pháp” nếu không kèm "
           "việc cụ thể.")),
    "missing_effect": Example(
        _l("Hiệu quả, lợi ích: “Sáng kiến mang lại hiệu quả cao, được mọi người đồng tình.”"),
        _l("Không có con số trước và sau khi áp dụng, không nói ai được lợi và lợi bao nhiêu (thời gian, tiền, "
           "số người, số lỗi giảm)."),
        _l("Hiệu quả, lợi ích: “Sau 3 tháng áp dụng tại Trạm Y tế xã Nậm Tăm, thời gian chờ khám trung bình giảm từ "
           "45 phút xuống 15 phút (ghi sổ theo dõi 600 lượt khám); số bệnh nhân phải quay lại buổi chiều giảm từ "
           "khoảng 20 xuống 3 người mỗi tuần. Trạm không phát sinh chi phí.”"),
        _l("Ghi ít nhất một con số so sánh trước và sau, nói rõ cách đo (sổ theo dõi, bảng chấm công, hóa đơn) và "
           "thời gian đo. Nếu chưa có số liệu, ghi ước tính và căn cứ ước tính.")),
    "missing_scope": Example(
        _l("Phạm vi áp dụng: “Áp dụng rộng rãi.” (không có ngày bắt đầu áp dụng)"),
        _l("Không nói áp dụng ở đâu (tổ, phòng, đơn vị nào), cho bao nhiêu người, từ ngày nào. Chương trình chỉ "
           "tính sáng kiến áp dụng lần đầu trong thời gian quy định, nên thiếu ngày là không xét được."),
        _l("Phạm vi áp dụng: “Áp dụng tại Tổ Văn phòng và Tổ Kế toán của Trường Tiểu học Sìn Hồ (12 người), từ ngày "
           "15/3/2022; từ tháng 5/2022 Phòng Giáo dục huyện đã giới thiệu cho 4 trường khác trong huyện.”"),
        _l("Ghi tên nơi áp dụng, số người hoặc số đơn vị, và ngày bắt đầu áp dụng đúng như thực tế. Nếu mới thử "
           "nghiệm, ghi rõ “thử nghiệm từ ngày…”.")),
    "missing_evidence": Example(
        _l("Sáng kiến “Cải tiến khay đựng dụng cụ tiêm chủng” chỉ có phần mô tả, không có tệp đính kèm nào, và "
           "chưa tích xác nhận của thủ trưởng đơn vị."),
        _l("Không có minh chứng cho việc đã áp dụng: ảnh chụp, biên bản, xác nhận của thủ trưởng đơn vị hoặc "
           "số liệu trích từ sổ sách — điều kiện bắt buộc của chương trình."),
        _l("Đính kèm: 2 ảnh chụp khay dụng cụ trước và sau cải tiến tại buổi tiêm chủng ngày 10/4/2022; bản chụp "
           "giấy xác nhận của Trưởng trạm y tế có chữ ký và đóng dấu; trang sổ theo dõi số mũi tiêm mỗi buổi. Đã tích "
           "ô “Có xác nhận của thủ trưởng đơn vị”."),
        _l("Trước khi gửi, chụp ảnh nơi áp dụng và xin xác nhận của thủ trưởng đơn vị; ảnh chụp bằng điện thoại là "
           "đủ, miễn là rõ nét. Tổ hỗ trợ sáng kiến của công đoàn cơ sở có thể chụp và tải lên giúp.")),
    "other": Example(
        _l("Tên sáng kiến: “Sáng kiến năm 2022”; phần hiện trạng và giải pháp chép giống hệt nhau."),
        _l("Tên không cho biết việc gì được cải tiến; hiện trạng phải nói vấn đề trước đây, giải pháp phải nói "
           "việc đã làm — hai phần không được trùng nhau. Người thẩm định ghi lý do cụ thể trong lời nhắn."),
        _l("Tên sáng kiến: “Sắp xếp lại lịch trực bếp ăn bán trú theo tuần tại Trường Mầm non xã Bản Bo”; hiện "
           "trạng: “Mỗi ngày phân công trực miệng, thường thiếu người vào thứ Hai”; giải pháp: “Lập lịch trực cả "
           "tháng, dán ở bếp và gửi nhóm Zalo, người bận tự đổi ca với nhau và ghi vào lịch”."),
        _l("Đọc kỹ lời nhắn của người thẩm định: lời nhắn nói đúng chỗ cần sửa. Sửa đúng chỗ đó rồi gửi lại; sáng "
           "kiến được xét tiếp, không phải làm lại từ đầu.")),
}
