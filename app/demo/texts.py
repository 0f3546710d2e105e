"""What the demo's initiatives say: titles that fit the union (a kindergarten does not teach grade-6 maths), the
situation, solution, scope and effect paragraphs, reviewers' messages, and the gallery's stories, written from the
initiative they tell."""
from __future__ import annotations

import random

# Titles per pool (geography.Profile.fields names the pools a union draws from).
TITLES: dict[str, tuple[str, ...]] = {
    "mamnon": (
        "Làm đồ dùng, đồ chơi từ nguyên vật liệu sẵn có ở địa phương cho trẻ mẫu giáo",
        "Tăng cường tiếng Việt cho trẻ người dân tộc thiểu số qua trò chơi dân gian",
        "Tổ chức hoạt động góc theo chủ đề cho trẻ 5 tuổi",
        "Xây dựng thực đơn bán trú cân đối dinh dưỡng từ thực phẩm địa phương",
        "Nâng cao chất lượng giờ đón, trả trẻ ở điểm trường bản",
        "Giải pháp giúp trẻ 3 tuổi nhanh thích nghi khi mới đến lớp",
        "Xây dựng góc thiên nhiên, vườn rau của bé tại điểm trường",
        "Phối hợp với cha mẹ trẻ qua nhóm Zalo để chăm sóc trẻ tại nhà",
    ),
    "tieuhoc": (
        "Rèn kỹ năng đọc cho học sinh lớp 1 người dân tộc Mông",
        "Ứng dụng trò chơi học tập trong dạy học môn Toán lớp 4",
        "Tổ chức bữa ăn bán trú an toàn cho học sinh ở bản xa",
        "Xây dựng thư viện thân thiện, tủ sách lớp học ở điểm trường lẻ",
        "Nâng cao chất lượng dạy Tiếng Việt lớp 2 theo chương trình mới",
        "Giải pháp duy trì sĩ số học sinh sau kỳ nghỉ Tết ở vùng cao",
        "Dạy học Tự nhiên và Xã hội gắn với thực tế ở bản",
        "Tổ chức sinh hoạt Sao Nhi đồng bằng trò chơi dân gian",
    ),
    "thcs": (
        "Ứng dụng trò chơi học tập trong dạy học môn Toán lớp 6",
        "Dạy học Khoa học tự nhiên 6 theo định hướng STEM",
        "Nâng cao kỹ năng viết đoạn văn cho học sinh lớp 7 người dân tộc thiểu số",
        "Công tác chủ nhiệm lớp bán trú ở trường phổ thông dân tộc bán trú",
        "Xây dựng ngân hàng câu hỏi trắc nghiệm môn Lịch sử và Địa lí 7",
        "Tổ chức câu lạc bộ tiếng Anh cho học sinh vùng cao",
        "Bồi dưỡng học sinh giỏi môn Ngữ văn cấp huyện",
        "Giáo dục kỹ năng sống cho học sinh nội trú qua hoạt động trải nghiệm",
    ),
    "thpt": (
        "Ôn thi tốt nghiệp THPT môn Tiếng Anh cho học sinh dân tộc thiểu số",
        "Bồi dưỡng học sinh giỏi cấp tỉnh môn Hóa học bằng sơ đồ tư duy",
        "Ứng dụng phần mềm mô phỏng trong dạy học Vật lí 11",
        "Tư vấn hướng nghiệp cho học sinh lớp 12 người dân tộc thiểu số",
        "Xây dựng đề kiểm tra đánh giá theo định hướng phát triển năng lực môn Toán",
        "Quản lý học sinh nội trú bằng sổ điện tử và nhóm phụ huynh",
        "Dạy học dự án môn Sinh học gắn với cây dược liệu địa phương",
    ),
    "caodang": (
        "Đào tạo nghề chăn nuôi – thú y gắn với mô hình trang trại của người học",
        "Xây dựng học liệu điện tử cho lớp trung cấp sư phạm mầm non",
        "Tổ chức thực tập nghề trồng chè tại doanh nghiệp",
        "Ứng dụng lớp học trực tuyến cho học viên ở các huyện xa",
        "Đổi mới đánh giá kết quả học tập mô-đun kỹ thuật trồng trọt",
    ),
    "school_digital": (
        "Quản lý thiết bị dạy học bằng mã QR",
        "Ứng dụng Google Biểu mẫu trong khảo sát, kiểm tra nhanh học sinh",
        "Số hóa hồ sơ chuyên môn của tổ",
        "Xây dựng kho bài giảng điện tử dùng chung của nhà trường",
        "Liên lạc với cha mẹ học sinh qua Zalo OA của trường",
    ),
    "school_admin": (
        "Cải tiến quy trình thu, chi và công khai tiền ăn bán trú",
        "Chuẩn hóa hồ sơ thi đua, khen thưởng của nhà trường",
        "Sắp xếp lịch trực bán trú và ký túc xá hợp lý",
    ),
    "school_safety": (
        "Giải pháp bảo đảm an toàn cho trẻ khi đi lại trong mùa mưa lũ",
        "Phòng chống đuối nước cho trẻ ở bản ven suối",
    ),
    "health_district": (
        "Quản lý thai phụ ở bản xa bằng sổ theo dõi và nhóm Zalo của y tế thôn bản",
        "Rút ngắn thời gian tiếp đón bệnh nhân tại khoa Khám bệnh",
        "Tổ chức tiêm chủng vắc xin Covid-19 lưu động cho người cao tuổi ở bản",
        "Quản lý thuốc và vật tư y tế tại trạm y tế xã",
        "Truyền thông phòng chống dịch bằng tiếng Mông và tiếng Thái",
        "Theo dõi F0 điều trị tại nhà qua điện thoại",
        "Khám sàng lọc tăng huyết áp, đái tháo đường cho người dân ở xã",
        "Cải tiến quy trình chuyển tuyến cấp cứu sản khoa",
    ),
    "health_hospital": (
        "Cải tiến quy trình khám bệnh ngoại trú, giảm thời gian chờ",
        "Ứng dụng bảng kiểm an toàn phẫu thuật tại khoa Gây mê hồi sức",
        "Giảm nhiễm khuẩn bệnh viện bằng quy trình vệ sinh tay theo giờ",
        "Quản lý cơ số thuốc cấp cứu tại các khoa lâm sàng",
        "Chăm sóc bệnh nhân Covid-19 nặng tại khoa Hồi sức tích cực",
        "Hướng dẫn người bệnh bằng tiếng dân tộc tại khu khám bệnh",
        "Tổ chức khám chữa bệnh lưu động cho đồng bào ở huyện xa",
    ),
    "health_cdc": (
        "Giám sát dịch Covid-19 tại cộng đồng bằng bản đồ số",
        "Quản lý dây chuyền lạnh bảo quản vắc xin ở tuyến xã",
        "Tối ưu quy trình xét nghiệm RT-PCR khi số mẫu tăng cao",
        "Truyền thông phòng chống sốt rét cho người đi rừng, ngủ rẫy",
    ),
    "health_digital": (
        "Đặt lịch khám bệnh qua Zalo",
        "Số hóa hồ sơ sức khỏe người dân trên phần mềm quản lý",
        "Tra cứu kết quả xét nghiệm bằng mã QR",
        "Nhắc lịch tiêm chủng bằng tin nhắn cho cha mẹ trẻ",
    ),
    "health_admin": (
        "Cải tiến quy trình thanh toán bảo hiểm y tế",
        "Phân ca trực hợp lý trong mùa dịch",
    ),
    "health_safety": (
        "Phòng lây nhiễm cho nhân viên y tế khi chăm sóc người bệnh Covid-19",
        "Thu gom, phân loại chất thải y tế tại khoa",
    ),
    "office_district": (
        "Rút ngắn thời gian giải quyết thủ tục tại Bộ phận Một cửa huyện",
        "Số hóa lưu trữ văn bản đến và đi của cơ quan",
        "Theo dõi tiến độ giải ngân vốn đầu tư công bằng bảng tính dùng chung",
        "Chuẩn hóa mẫu báo cáo thống kê định kỳ của các phòng",
        "Tổng hợp ý kiến cử tri bằng biểu mẫu trực tuyến",
    ),
    "office_commune": (
        "Rút ngắn thời gian chứng thực tại Bộ phận Một cửa xã",
        "Hướng dẫn người dân nộp hồ sơ trực tuyến tại nhà văn hóa bản",
        "Cập nhật hộ tịch, hộ khẩu bằng sổ điện tử",
        "Tuyên truyền pháp luật cho đồng bào bằng loa truyền thanh tiếng dân tộc",
        "Quản lý đất đai, cấp giấy chứng nhận quyền sử dụng đất bằng bản đồ số",
    ),
    "office_province": (
        "Chuẩn hóa quy trình thẩm định hồ sơ trình UBND tỉnh",
        "Số hóa hồ sơ công chức, viên chức",
        "Theo dõi nhiệm vụ được giao bằng phần mềm quản lý công việc",
        "Rút ngắn thời gian thẩm tra quyết toán dự án hoàn thành",
        "Tổ chức họp trực tuyến với các huyện, thành phố",
    ),
    "office_union": (
        "Quản lý đoàn viên công đoàn bằng phần mềm trực tuyến",
        "Tổng hợp báo cáo thi đua của các cấp công đoàn bằng biểu mẫu dùng chung",
        "Hướng dẫn công đoàn cơ sở đăng ký sáng kiến trên hệ thống trực tuyến",
        "Tổ chức Tháng Công nhân gắn với chăm lo đoàn viên khó khăn",
    ),
    "office_digital": (
        "Ứng dụng chữ ký số trong phát hành văn bản",
        "Quản lý tài sản cơ quan bằng mã QR",
        "Theo dõi tiến độ công việc bằng bảng tính dùng chung",
        "Xây dựng trang Zalo OA cung cấp thông tin cho người dân",
    ),
    "agri": (
        "Trồng thảo quả dưới tán rừng theo hướng bền vững",
        "Nuôi cá nước lạnh ở suối vùng cao",
        "Ủ phân vi sinh từ phụ phẩm nông nghiệp",
        "Trồng chè Shan tuyết theo tiêu chuẩn hữu cơ",
        "Cải tạo ruộng bậc thang để trồng lúa hai vụ",
        "Phòng bệnh lở mồm long móng cho đàn trâu, bò của bà con",
        "Trồng mắc ca xen cà phê trên đất dốc",
        "Hướng dẫn bà con trồng rau an toàn trong nhà lưới",
    ),
    "power": (
        "Kiểm tra đồng hồ đo đếm điện bằng thiết bị đọc từ xa",
        "Giải pháp giảm tổn thất điện năng trên lưới hạ áp nông thôn",
        "Cải tiến kìm cắt dây tiếp địa thi công trên cao",
        "Tìm điểm sự cố đường dây trung áp bằng thiết bị bay không người lái",
        "Quản lý phát quang hành lang tuyến bằng bản đồ số",
    ),
    "water": (
        "Cải tiến hệ thống châm hóa chất xử lý nước sinh hoạt",
        "Phát hiện rò rỉ trên mạng lưới cấp nước bằng đồng hồ tổng khu vực",
        "Tiết kiệm điện năng trạm bơm tăng áp",
        "Ghi chỉ số đồng hồ nước bằng điện thoại",
    ),
    "tea": (
        "Cải tiến dây chuyền sao chè xanh",
        "Hợp lý hóa khâu héo chè để giữ hương",
        "Tiết kiệm củi đốt lò sấy chè",
        "Cải tiến quy trình đóng gói chè thành phẩm",
        "Hướng dẫn hộ trồng chè hái đúng tiêu chuẩn một tôm hai lá",
    ),
    "hydro": (
        "Cải tiến quy trình bảo dưỡng tổ máy thủy điện",
        "Theo dõi rung đảo trục tổ máy bằng cảm biến",
        "Giải pháp giảm thời gian dừng máy khi sửa chữa định kỳ",
        "Tự động hóa ghi nhật ký vận hành ca",
    ),
    "industry_safety": (
        "Giảm tai nạn lao động khi thi công trên cao",
        "Cải tiến thiết bị bảo hộ cho công nhân vận hành trạm biến áp",
        "Biển cảnh báo an toàn bằng hình ảnh cho công nhân dân tộc thiểu số",
    ),
    "factory_safety": (
        "Phòng chống cháy nổ trong nhà xưởng chế biến chè",
        "Che chắn an toàn cho máy vò, máy sao chè",
        "Biển cảnh báo an toàn bằng hình ảnh cho công nhân dân tộc thiểu số",
    ),
}

SITUATION = (
    ("trước đây làm hoàn toàn thủ công", "phụ thuộc vào sổ sách giấy", "mỗi người làm một kiểu",
     "thường xuyên bị chậm so với kế hoạch", "tốn nhiều công đi lại giữa các bản"),
    ("mất nhiều thời gian", "dễ sai sót khi tổng hợp", "khó kiểm tra, đối chiếu", "chi phí vật tư cao",
     "người lao động phải làm thêm giờ"),
    ("đơn vị ở vùng cao, đường sá khó khăn", "sóng điện thoại yếu", "nhân lực mỏng",
     "nhiều đồng bào dân tộc thiểu số chưa thạo tiếng phổ thông", "mùa mưa thường bị chia cắt"),
)
STEPS = {
    "education": ("khảo sát trình độ của học sinh đầu năm", "thiết kế phiếu học tập theo từng nhóm",
                  "tổ chức trò chơi học tập ở đầu mỗi tiết", "phối hợp với cha mẹ học sinh qua nhóm Zalo",
                  "dạy song ngữ với giáo viên người dân tộc", "tổ chức cho học sinh khá kèm học sinh chậm"),
    "health": ("lập danh sách theo từng bản", "phân công y tế thôn bản theo dõi", "in phiếu hướng dẫn bằng hình ảnh",
               "bố trí lại luồng tiếp đón người bệnh", "nhắc lịch qua điện thoại", "giao ban chuyên môn hằng tuần"),
    "production": ("khảo sát lại từng công đoạn", "chế tạo dụng cụ từ vật liệu sẵn có",
                   "lắp thêm cảm biến và đồng hồ theo dõi", "bố trí lại ca làm việc",
                   "tập huấn cho công nhân vận hành", "ghi chép số liệu trước và sau cải tiến"),
    "agriculture": ("chọn hộ làm mô hình trình diễn", "hướng dẫn bà con tại ruộng, nương",
                    "tận dụng phụ phẩm sẵn có", "theo dõi năng suất từng vụ", "tổ chức tham quan đầu bờ",
                    "liên kết với hợp tác xã để tiêu thụ"),
    "administration": ("lập sơ đồ quy trình mới", "thiết kế biểu mẫu thống nhất", "phân công người phụ trách từng khâu",
                       "công khai thời gian giải quyết", "họp rút kinh nghiệm hằng tuần", "áp dụng thử một tháng"),
    "digital": ("tận dụng máy tính, điện thoại sẵn có", "gắn mã QR cho từng hồ sơ, thiết bị",
                "dùng nhóm Zalo để cập nhật hằng ngày", "lập bảng tính dùng chung",
                "hướng dẫn từng người sử dụng", "sao lưu dữ liệu hằng tuần"),
    "safety": ("rà soát các vị trí nguy hiểm", "làm biển cảnh báo bằng hình ảnh", "cải tiến dụng cụ bảo hộ",
               "diễn tập xử lý sự cố", "kiểm tra an toàn đầu ca", "tập huấn cho người lao động mới"),
}
EFFECTS = {
    "education": ("tỷ lệ học sinh đọc thông, viết thạo tăng {n}%", "điểm trung bình của lớp tăng {d} điểm",
                  "{p} học sinh được hưởng lợi mỗi năm học", "tỷ lệ chuyên cần đạt {c}%"),
    "health": ("thời gian chờ giảm {n}%", "{p} lượt người dân được phục vụ mỗi tháng",
               "tỷ lệ tiêm chủng đạt {c}%", "giảm {n}% số ca chuyển tuyến không cần thiết"),
    "production": ("năng suất tăng {n}%", "tiết kiệm {m} triệu đồng mỗi năm", "giảm {n}% thời gian dừng máy",
                   "giảm {n}% tiêu hao nhiên liệu"),
    "agriculture": ("năng suất tăng {n}%", "thu nhập của hộ tăng khoảng {m} triệu đồng mỗi năm",
                    "{p} hộ áp dụng theo", "giảm {n}% chi phí phân bón"),
    "administration": ("rút ngắn thời gian xử lý từ {a} xuống {b} ngày", "giảm {n}% sai sót",
                       "{p} lượt hồ sơ được giải quyết đúng hạn mỗi tháng", "tiết kiệm {m} triệu đồng văn phòng phẩm"),
    "digital": ("tiết kiệm khoảng {n}% thời gian", "giảm {n}% giấy tờ", "{p} lượt tra cứu mỗi tháng",
                "tiết kiệm {m} triệu đồng mỗi năm"),
    "safety": ("không để xảy ra tai nạn lao động trong {a} tháng", "giảm {n}% sự cố",
               "{p} người lao động được tập huấn", "tiết kiệm {m} triệu đồng chi phí khắc phục"),
}


def title_for(rng: random.Random, pool: str) -> str:
    return rng.choice(TITLES[pool])


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def paragraphs(rng: random.Random, title: str, field: str, place: str, wider: str) -> dict[str, str]:
    """Varied, plausible paragraphs: ideas from different unions should not look alike by accident."""
    how, cost, context = (rng.choice(part) for part in SITUATION)
    steps = rng.sample(STEPS[field], rng.randint(3, 5))
    effects = [e.format(n=rng.randint(10, 45), m=rng.randint(5, 120), p=rng.randint(40, 1500), d=rng.randint(1, 2),
                        c=rng.randint(92, 99), a=rng.randint(5, 12), b=rng.randint(1, 4))
               for e in rng.sample(EFFECTS[field], 2)]
    return {
        "current_situation": f"Tại {place}, công việc {how}, {cost}; {context}.",
        "solution": f"{title}: " + "; ".join(steps) + ".",
        "application_scope": f"Áp dụng tại {place}" + rng.choice(["", f" và {wider}",
                                                                  ", có thể nhân rộng toàn tỉnh"]) + ".",
        "effectiveness": _sentence(effects[0]) + ", " + effects[1] + ".",
    }


# What a reviewer writes when returning an initiative, and what the author adds before sending it again.
RETURN_MESSAGES = {
    "missing_effect": "Đề nghị bổ sung số liệu cụ thể về hiệu quả: tiết kiệm bao nhiêu thời gian, chi phí, bao nhiêu "
                      "người được hưởng lợi.",
    "missing_scope": "Đề nghị ghi rõ sáng kiến đã áp dụng ở đâu, từ ngày nào.",
    "unclear_solution": "Đề nghị mô tả các bước thực hiện giải pháp và điểm mới so với cách làm trước.",
    "missing_evidence": "Đề nghị đính kèm xác nhận của thủ trưởng đơn vị về việc sáng kiến đã được áp dụng.",
}
REVISIONS = {
    "missing_effect": ("effectiveness", " Số liệu so sánh trước và sau khi áp dụng: giảm {n}% thời gian, {p} người "
                                        "được hưởng lợi (có bảng theo dõi kèm theo)."),
    "missing_scope": ("application_scope", " Đã áp dụng chính thức tại toàn đơn vị từ ngày {since}, có xác nhận của "
                                           "thủ trưởng đơn vị."),
    "unclear_solution": ("solution", " Các bước cụ thể: (1) khảo sát hiện trạng; (2) thử nghiệm ở một tổ trong {a} "
                                     "tuần; (3) điều chỉnh và áp dụng toàn đơn vị. Điểm mới: {n}% công việc không "
                                     "còn phải làm thủ công."),
    "missing_evidence": ("effectiveness", " Đã bổ sung xác nhận của thủ trưởng đơn vị."),
}
RETURN_TEMPLATES = [(reason, RETURN_MESSAGES[reason]) for reason in ("missing_effect", "missing_scope",
                                                                    "unclear_solution")]

STORY_OPENINGS = {
    "education": "Từ những giờ lên lớp với học trò vùng cao",
    "health": "Xuất phát từ những ca trực ở tuyến cơ sở",
    "production": "Từ chính công việc sản xuất hằng ngày",
    "agriculture": "Gắn với nương chè, ruộng bậc thang của bà con",
    "administration": "Bắt đầu từ bàn tiếp nhận hồ sơ",
    "digital": "Chỉ với máy tính và điện thoại sẵn có",
    "safety": "Từ những lần suýt xảy ra tai nạn",
}


def story(title: str, field: str, unit_name: str, authors: list[str], effectiveness: str) -> str:
    """The gallery's story of an initiative, told from what it is: its title, field, union, authors and effect."""
    place = unit_name.removeprefix("CĐCS ")
    who = authors[0] if len(authors) == 1 else f"{', '.join(authors[:-1])} và {authors[-1]}"
    effect = effectiveness.rstrip(".")
    effect = effect[0].lower() + effect[1:]
    return (f"{STORY_OPENINGS.get(field, 'Từ công việc hằng ngày')}, {who} ({place}) đã nghĩ ra sáng kiến "
            f"“{title}”. Sau khi áp dụng, {effect}. Đồng nghiệp trong đơn vị đã học theo. "
            "Tự hào trí tuệ lao động Việt Nam!")
