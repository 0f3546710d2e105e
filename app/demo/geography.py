"""The demo's union tree, after Lai Châu's real administrative geography (2022).

Districts and their communes/wards are the real ones; every school, health centre, commune office or company is
named after the place it stands in. A grassroots union has a *profile* (a primary school, a district health
centre, a tea company…) which says how large it usually is, what its members work as, which collectives (tổ, đội,
phòng, trạm) it has and in which fields its initiatives fall (app/demo/texts.py writes them).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import UnitKind


@dataclass(frozen=True)
class Profile:
    members: tuple[int, int]            # plausible member count of one union of this kind
    positions: tuple[str, ...]          # what its members work as (the authors' job titles)
    collectives: tuple[str, ...]        # its tổ/đội/phòng; "{c}" is one of the district's communes
    fields: tuple[tuple[str, str], ...]  # (field, pool of titles in texts.TITLES), repeated for weight


PROFILES: dict[str, Profile] = {
    "mamnon": Profile((16, 34), ("Giáo viên mầm non", "Giáo viên mầm non", "Nhân viên nuôi dưỡng", "Kế toán"),
                      ("Tổ chuyên môn Mẫu giáo", "Tổ Nuôi dưỡng"),
                      (("education", "mamnon"),) * 3 + (("safety", "school_safety"), ("digital", "school_digital"))),
    "tieuhoc": Profile((20, 42), ("Giáo viên", "Giáo viên", "Tổng phụ trách Đội", "Nhân viên thư viện"),
                       ("Tổ khối 1–2–3", "Tổ khối 4–5", "Tổ Văn phòng"),
                       (("education", "tieuhoc"),) * 4 + (("digital", "school_digital"),
                                                          ("administration", "school_admin"))),
    "thcs": Profile((24, 48), ("Giáo viên", "Giáo viên", "Nhân viên thiết bị", "Kế toán"),
                    ("Tổ Khoa học tự nhiên", "Tổ Khoa học xã hội"),
                    (("education", "thcs"),) * 4 + (("digital", "school_digital"), ("administration", "school_admin"))),
    "thpt": Profile((45, 80), ("Giáo viên", "Giáo viên", "Giáo viên chủ nhiệm", "Nhân viên thiết bị"),
                    ("Tổ Toán – Tin", "Tổ Ngữ văn – Ngoại ngữ", "Tổ Lý – Hóa – Sinh"),
                    (("education", "thpt"),) * 4 + (("digital", "school_digital"),)),
    "caodang": Profile((85, 120), ("Giảng viên", "Giảng viên", "Chuyên viên Phòng Đào tạo"),
                       ("Khoa Nông – Lâm", "Khoa Sư phạm", "Phòng Đào tạo"),
                       (("education", "caodang"),) * 3 + (("agriculture", "agri"), ("digital", "school_digital"))),
    "ttyt": Profile((90, 150), ("Bác sĩ", "Điều dưỡng", "Y sĩ", "Hộ sinh", "Dược sĩ"),
                    ("Khoa Khám bệnh", "Trạm Y tế xã {c}", "Trạm Y tế xã {c2}"),
                    (("health", "health_district"),) * 4 + (("digital", "health_digital"),
                                                            ("administration", "health_admin"))),
    "benhvien": Profile((300, 360), ("Bác sĩ", "Điều dưỡng", "Kỹ thuật viên", "Dược sĩ"),
                        ("Khoa Khám bệnh", "Khoa Hồi sức tích cực – Chống độc", "Khoa Dược"),
                        (("health", "health_hospital"),) * 4 + (("digital", "health_digital"),
                                                                ("safety", "health_safety"))),
    "cdc": Profile((70, 110), ("Bác sĩ", "Y sĩ", "Kỹ thuật viên xét nghiệm"),
                   ("Khoa Phòng chống bệnh truyền nhiễm", "Khoa Xét nghiệm"),
                   (("health", "health_cdc"),) * 3 + (("digital", "health_digital"),)),
    "ubnd": Profile((55, 95), ("Chuyên viên", "Chuyên viên", "Kế toán", "Văn thư"),
                    ("Phòng Tài chính – Kế hoạch", "Văn phòng HĐND và UBND", "Phòng Nông nghiệp và PTNT"),
                    (("administration", "office_district"),) * 3 + (("digital", "office_digital"),
                                                                    ("agriculture", "agri"))),
    "xa": Profile((18, 30), ("Công chức Văn phòng – Thống kê", "Công chức Địa chính – Nông nghiệp",
                             "Công chức Tư pháp – Hộ tịch", "Công chức Văn hóa – Xã hội"),
                  ("Bộ phận Tiếp nhận và trả kết quả",),
                  (("administration", "office_commune"),) * 2 + (("agriculture", "agri"),) * 2
                  + (("digital", "office_digital"),)),
    "phuong": Profile((18, 30), ("Công chức Văn phòng – Thống kê", "Công chức Địa chính – Xây dựng",
                                 "Công chức Tư pháp – Hộ tịch", "Công chức Văn hóa – Xã hội"),
                      ("Bộ phận Tiếp nhận và trả kết quả",),
                      (("administration", "office_commune"),) * 3 + (("digital", "office_digital"),)),
    "nongnghiep": Profile((20, 38), ("Kỹ sư nông nghiệp", "Cán bộ khuyến nông", "Kỹ thuật viên thú y"),
                          ("Tổ Khuyến nông", "Tổ Trồng trọt và Bảo vệ thực vật"),
                          (("agriculture", "agri"),) * 4 + (("digital", "office_digital"),)),
    "dienluc": Profile((180, 240), ("Kỹ sư", "Công nhân quản lý vận hành", "Công nhân sửa chữa điện"),
                       ("Đội Quản lý vận hành lưới điện", "Phòng Kỹ thuật – An toàn"),
                       (("production", "power"),) * 3 + (("safety", "industry_safety"),) * 2
                       + (("digital", "office_digital"),)),
    "capnuoc": Profile((60, 90), ("Công nhân vận hành", "Kỹ sư cấp thoát nước", "Công nhân"),
                       ("Tổ Vận hành nhà máy nước", "Đội Quản lý mạng lưới"),
                       (("production", "water"),) * 3 + (("safety", "industry_safety"),)),
    "che": Profile((70, 120), ("Công nhân chế biến", "Kỹ thuật viên", "Công nhân"),
                   ("Tổ Chế biến chè", "Đội sản xuất chè {c}"),
                   (("production", "tea"),) * 3 + (("agriculture", "agri"), ("safety", "factory_safety"))),
    "thuydien": Profile((60, 100), ("Kỹ sư vận hành", "Công nhân sửa chữa", "Kỹ sư"),
                        ("Phân xưởng Vận hành", "Phân xưởng Sửa chữa"),
                        (("production", "hydro"),) * 3 + (("safety", "industry_safety"),) * 2),
    "so": Profile((30, 75), ("Chuyên viên", "Chuyên viên", "Kế toán"),
                  ("Văn phòng Sở", "Phòng Kế hoạch – Tài chính"),
                  (("administration", "office_province"),) * 3 + (("digital", "office_digital"),) * 2),
    "sonn": Profile((55, 90), ("Chuyên viên", "Kỹ sư nông nghiệp", "Kế toán"),
                    ("Văn phòng Sở", "Chi cục Trồng trọt và Bảo vệ thực vật"),
                    (("agriculture", "agri"),) * 3 + (("administration", "office_province"),)),
    "ldld": Profile((24, 32), ("Chuyên viên", "Cán bộ công đoàn", "Kế toán"),
                    ("Ban Tổ chức – Kiểm tra", "Văn phòng"),
                    (("administration", "office_union"),) * 3 + (("digital", "office_digital"),)),
}


@dataclass(frozen=True)
class District:
    code: str
    name: str              # the federation's name
    place: str             # the district as people say it ("Tam Đường")
    communes: tuple[str, ...]  # real communes/wards, the first ones used for collectives (Trạm Y tế xã …)
    grassroots: tuple[tuple[str, str], ...]  # (name, profile)
    people: tuple[int, int, int, int]  # weights of Kinh, Thái, Mông, Dao names among its members
    pre: float   # how hard it pushed before the letter (submissions per member, relative)
    post: float  # how hard it pushes in the 40 days


# The eight districts (Lai Châu, 2022) with real communes and wards.
DISTRICTS: tuple[District, ...] = (
    District("LC-TP", "LĐLĐ Thành phố Lai Châu", "Thành phố Lai Châu",
             ("San Thàng", "Sùng Phài", "Tân Phong", "Đoàn Kết", "Quyết Thắng", "Quyết Tiến", "Đông Phong"),
             (("CĐCS Trường Mầm non Tân Phong", "mamnon"), ("CĐCS Trường Tiểu học Quyết Thắng", "tieuhoc"),
              ("CĐCS Trường Tiểu học San Thàng", "tieuhoc"), ("CĐCS Trường THCS Đoàn Kết", "thcs"),
              ("CĐCS Cơ quan UBND thành phố Lai Châu", "ubnd"), ("CĐCS phường Đông Phong", "phuong"),
              ("CĐCS Trường Mầm non Đông Phong", "mamnon"),
              ("CĐCS Công ty Điện lực Lai Châu", "dienluc"), ("CĐCS Công ty Cổ phần Cấp nước Lai Châu", "capnuoc")),
             (6, 2, 1, 1), 1.15, 2.0),
    District("LC-TD", "LĐLĐ huyện Tam Đường", "Tam Đường",
             ("Bản Bo", "Khun Há", "Bình Lư", "Nà Tăm", "Sơn Bình", "Bản Giang", "Thèn Sin", "Hồ Thầu"),
             (("CĐCS Trường THCS thị trấn Tam Đường", "thcs"), ("CĐCS Trường Tiểu học Bình Lư", "tieuhoc"),
              ("CĐCS Trường Mầm non Nà Tăm", "mamnon"), ("CĐCS Trường PTDTBT THCS Khun Há", "thcs"),
              ("CĐCS Trường Tiểu học Sơn Bình", "tieuhoc"),
              ("CĐCS Cơ quan UBND huyện Tam Đường", "ubnd"), ("CĐCS xã Bản Bo", "xa"),
              ("CĐCS Trung tâm Dịch vụ nông nghiệp huyện Tam Đường", "nongnghiep"),
              ("CĐCS Công ty Cổ phần Chè Tam Đường", "che")),
             (3, 3, 3, 1), 1.0, 1.45),
    District("LC-PT", "LĐLĐ huyện Phong Thổ", "Phong Thổ",
             ("Dào San", "Mường So", "Khổng Lào", "Huổi Luông", "Sì Lở Lầu", "Ma Li Pho", "Bản Lang"),
             (("CĐCS Trường THCS thị trấn Phong Thổ", "thcs"), ("CĐCS Trường PTDTBT Tiểu học Mường So", "tieuhoc"),
              ("CĐCS Trường Mầm non Dào San", "mamnon"), ("CĐCS Trường PTDTBT THCS Sì Lở Lầu", "thcs"),
              ("CĐCS Trường Tiểu học Khổng Lào", "tieuhoc"), ("CĐCS Cơ quan UBND huyện Phong Thổ", "ubnd"),
              ("CĐCS xã Huổi Luông", "xa"), ("CĐCS Trung tâm Dịch vụ nông nghiệp huyện Phong Thổ", "nongnghiep")),
             (2, 2, 3, 3), 0.8, 0.8),
    District("LC-SH", "LĐLĐ huyện Sìn Hồ", "Sìn Hồ",
             ("Chăn Nưa", "Tả Phìn", "Phăng Sô Lin", "Nậm Tăm", "Pa Tần", "Ma Quai", "Noong Hẻo"),
             (("CĐCS Trường THCS thị trấn Sìn Hồ", "thcs"),
              ("CĐCS Trường PTDTBT Tiểu học Phăng Sô Lin", "tieuhoc"), ("CĐCS Trường Mầm non Nậm Tăm", "mamnon"),
              ("CĐCS Trường PTDTBT THCS Tả Phìn", "thcs"), ("CĐCS Trường Tiểu học Ma Quai", "tieuhoc"),
              ("CĐCS Cơ quan UBND huyện Sìn Hồ", "ubnd"), ("CĐCS xã Chăn Nưa", "xa"),
              ("CĐCS Trung tâm Dịch vụ nông nghiệp huyện Sìn Hồ", "nongnghiep")),
             (2, 3, 4, 1), 0.6, 0.7),
    District("LC-MT", "LĐLĐ huyện Mường Tè", "Mường Tè",
             ("Bum Tở", "Ka Lăng", "Bum Nưa", "Mù Cả", "Pa Ủ", "Thu Lũm", "Tà Tổng"),
             (("CĐCS Trường THCS thị trấn Mường Tè", "thcs"), ("CĐCS Trường PTDTBT Tiểu học Bum Tở", "tieuhoc"),
              ("CĐCS Trường Mầm non Ka Lăng", "mamnon"), ("CĐCS Trường PTDTBT THCS Ka Lăng", "thcs"),
              ("CĐCS Trường Tiểu học Mù Cả", "tieuhoc"), ("CĐCS Cơ quan UBND huyện Mường Tè", "ubnd"),
              ("CĐCS xã Bum Nưa", "xa")),
             (2, 3, 2, 1), 0.35, 0.45),
    District("LC-TU", "LĐLĐ huyện Than Uyên", "Than Uyên",
             ("Mường Kim", "Phúc Than", "Mường Than", "Mường Cang", "Hua Nà", "Tà Hừa", "Khoen On"),
             (("CĐCS Trường THCS thị trấn Than Uyên", "thcs"), ("CĐCS Trường Tiểu học Mường Than", "tieuhoc"),
              ("CĐCS Trường Mầm non Phúc Than", "mamnon"), ("CĐCS Trường THCS Mường Kim", "thcs"),
              ("CĐCS Cơ quan UBND huyện Than Uyên", "ubnd"),
              ("CĐCS xã Mường Cang", "xa"), ("CĐCS Trung tâm Dịch vụ nông nghiệp huyện Than Uyên", "nongnghiep"),
              ("CĐCS Nhà máy Thủy điện Bản Chát", "thuydien")),
             (3, 5, 2, 0), 1.0, 1.1),
    District("LC-TNU", "LĐLĐ huyện Tân Uyên", "Tân Uyên",
             ("Phúc Khoa", "Nậm Cần", "Trung Đồng", "Thân Thuộc", "Mường Khoa", "Pắc Ta", "Hố Mít"),
             (("CĐCS Trường THCS thị trấn Tân Uyên", "thcs"), ("CĐCS Trường Tiểu học Trung Đồng", "tieuhoc"),
              ("CĐCS Trường Mầm non Phúc Khoa", "mamnon"), ("CĐCS Trường PTDTBT THCS Nậm Cần", "thcs"),
              ("CĐCS Cơ quan UBND huyện Tân Uyên", "ubnd"),
              ("CĐCS xã Thân Thuộc", "xa"), ("CĐCS Công ty Cổ phần Chè Tân Uyên", "che")),
             (3, 5, 2, 0), 0.9, 1.0),
    District("LC-NN", "LĐLĐ huyện Nậm Nhùn", "Nậm Nhùn",
             ("Nậm Hàng", "Mường Mô", "Lê Lợi", "Hua Bum", "Nậm Ban", "Trung Chải", "Nậm Pì"),
             (("CĐCS Trường THCS thị trấn Nậm Nhùn", "thcs"), ("CĐCS Trường PTDTBT Tiểu học Nậm Hàng", "tieuhoc"),
              ("CĐCS Trường Mầm non Lê Lợi", "mamnon"), ("CĐCS Trường PTDTBT THCS Hua Bum", "thcs"),
              ("CĐCS Trường Tiểu học Nậm Ban", "tieuhoc"), ("CĐCS Cơ quan UBND huyện Nậm Nhùn", "ubnd"),
              ("CĐCS xã Mường Mô", "xa")),
             (2, 3, 3, 1), 0.4, 0.5),
)
BY_PLACE = {d.place: d for d in DISTRICTS}


@dataclass(frozen=True)
class Sector:
    code: str
    name: str
    kind: str
    grassroots: tuple[tuple[str, str, str], ...]  # (name, profile, district place it stands in)
    pre: float
    post: float
    people: tuple[int, int, int, int] = field(default=(5, 3, 1, 1))


SECTORS: tuple[Sector, ...] = (
    Sector("LC-GD", "Công đoàn ngành Giáo dục tỉnh", UnitKind.SECTOR,
           (("CĐCS Trường THPT Chuyên Lê Quý Đôn", "thpt", "Thành phố Lai Châu"),
            ("CĐCS Trường PTDT Nội trú tỉnh", "thpt", "Thành phố Lai Châu"),
            ("CĐCS Trường Cao đẳng Cộng đồng Lai Châu", "caodang", "Thành phố Lai Châu"),
            ("CĐCS Trường THPT Bình Lư", "thpt", "Tam Đường"),
            ("CĐCS Trường THPT Than Uyên", "thpt", "Than Uyên"),
            ("CĐCS Trường THPT Sìn Hồ", "thpt", "Sìn Hồ"),
            ("CĐCS Cơ quan Sở Giáo dục và Đào tạo", "so", "Thành phố Lai Châu")),
           1.3, 1.8),
    Sector("LC-YT", "Công đoàn ngành Y tế tỉnh", UnitKind.SECTOR,
           (("CĐCS Bệnh viện Đa khoa tỉnh", "benhvien", "Thành phố Lai Châu"),
            ("CĐCS Trung tâm Kiểm soát bệnh tật tỉnh", "cdc", "Thành phố Lai Châu"),
            ("CĐCS Trung tâm Y tế thành phố Lai Châu", "ttyt", "Thành phố Lai Châu"),
            ("CĐCS Trung tâm Y tế huyện Tam Đường", "ttyt", "Tam Đường"),
            ("CĐCS Trung tâm Y tế huyện Phong Thổ", "ttyt", "Phong Thổ"),
            ("CĐCS Trung tâm Y tế huyện Sìn Hồ", "ttyt", "Sìn Hồ"),
            ("CĐCS Trung tâm Y tế huyện Mường Tè", "ttyt", "Mường Tè"),
            ("CĐCS Trung tâm Y tế huyện Than Uyên", "ttyt", "Than Uyên"),
            ("CĐCS Trung tâm Y tế huyện Tân Uyên", "ttyt", "Tân Uyên"),
            ("CĐCS Trung tâm Y tế huyện Nậm Nhùn", "ttyt", "Nậm Nhùn")),
           0.8, 1.2),
    Sector("LC-VC", "Công đoàn Viên chức tỉnh", UnitKind.CIVIL_SERVANTS,
           (("CĐCS Cơ quan LĐLĐ tỉnh", "ldld", "Thành phố Lai Châu"),
            ("CĐCS Sở Tài chính", "so", "Thành phố Lai Châu"),
            ("CĐCS Sở Nội vụ", "so", "Thành phố Lai Châu"),
            ("CĐCS Sở Nông nghiệp và Phát triển nông thôn", "sonn", "Thành phố Lai Châu"),
            ("CĐCS Sở Tư pháp", "so", "Thành phố Lai Châu"),
            ("CĐCS Văn phòng UBND tỉnh", "so", "Thành phố Lai Châu")),
           0.9, 1.0),
)

# Names as people of the province carry them: Kinh, Thái, Mông and Dao (surname, middle names, given names).
NAMES = (
    (("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô"),
     ("Văn", "Đức", "Minh", "Quang", "Xuân", "Ngọc"), ("Thị", "Thu", "Thị Thu", "Thị Hồng", "Thanh", "Ngọc"),
     ("Hùng", "Dũng", "Tuấn", "Nam", "Long", "Thắng", "Hải", "Cường", "Sơn", "Trung"),
     ("Lan", "Hương", "Hà", "Mai", "Yến", "Thảo", "Dung", "Vân", "Nga", "Hằng")),
    (("Lò", "Tòng", "Lường", "Điêu", "Cầm", "Quàng", "Hoàng"), ("Văn",), ("Thị",),
     ("Thắng", "Ơn", "Pánh", "Xiêng", "Chiến", "Hùng", "Khiêm", "Phong"),
     ("Xuân", "Ín", "Hoa", "Mai", "Thoa", "Ánh", "Nhung")),
    (("Giàng", "Sùng", "Vàng", "Lý", "Thào", "Hạng", "Lù", "Mùa"), ("A", "Seo", "Văn"), ("Thị",),
     ("Chư", "Sính", "Pó", "Dế", "Tủa", "Lồng", "Chớ", "Súa"), ("Mỷ", "Dợ", "Sua", "Mai", "Pà", "Chá")),
    (("Tẩn", "Chảo", "Phàn", "Lý", "Đặng"), ("Văn", "Láo"), ("Thị",),
     ("Lở", "Sếnh", "Quẩy", "Chòi", "Vảng"), ("Mẩy", "Xoang", "Sử", "Chiêm")),
)


def person_name(rng, people: tuple[int, int, int, int]) -> str:
    surnames, male_middle, female_middle, male, female = rng.choices(NAMES, people)[0]
    if rng.random() < 0.5:
        return f"{rng.choice(surnames)} {rng.choice(male_middle)} {rng.choice(male)}"
    return f"{rng.choice(surnames)} {rng.choice(female_middle)} {rng.choice(female)}"
