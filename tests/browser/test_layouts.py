"""Phone-first layouts (issue 11): every page fits 360 px as every demo role, a one-line header whose menu works
without JavaScript, tables as cards that keep their key figures on screen, wide tables that show and let the keyboard
scroll them, status badges at 4.5:1 or more, and no serious/critical axe-core violation at desktop width either.
"""
from __future__ import annotations

import pytest

from . import conftest as harness
from .conftest import ACCOUNTS, DESKTOP, PHONE, login
from .test_pages import PAGES, demo_ids  # noqa: F401  (demo_ids is a fixture used here too)

ROLES = [None, *ACCOUNTS]


@pytest.fixture
def signed_in(browser, live_server, new_context, demo_ids):  # noqa: F811
    """``signed_in(role, viewport, **options)`` → a page of a fresh context signed in as ``role`` (None: visitor)."""
    states: dict[str, dict] = {}

    def build(role: str | None, viewport=PHONE, **options):
        if role and role not in states:
            context = browser.new_context(base_url=live_server.url, viewport=viewport)
            login(context.new_page(), role)
            states[role] = context.storage_state()
            context.close()
        if viewport == PHONE:
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
        context = new_context(viewport, **({"storage_state": states[role]} if role else {}), **options)
        return context.new_page()

    return build


def _open(page, path: str, ids: dict) -> bool:
    """Open a page; False when this role may not see it (refused, not found, or sent to the login page)."""
    response = page.goto(path.format(**ids))
    assert response is not None and response.status < 500, f"{path}: {response and response.status}"
    return response.ok and ("/login" not in page.url or path == "/login")


@pytest.mark.parametrize("role", ROLES, ids=[role or "visitor" for role in ROLES])
def test_every_page_fits_360px_as_every_role(signed_in, demo_ids, role):  # noqa: F811
    page = signed_in(role)
    opened, too_wide = [], {}
    for name, _main_role, path in PAGES:
        if not _open(page, path, demo_ids):
            continue
        opened.append(name)
        if harness.horizontal_overflow(page):
            too_wide[name] = (harness.scroll_width(page), harness.widest_elements(page))
    assert {"home", "campaign", "ranking", "gallery"} <= set(opened), opened  # the public pages really opened
    assert too_wide == {}, f"pages wider than 360 px as {role or 'visitor'}: {too_wide}"


def _visible_links(page) -> list[str]:
    return [link.inner_text() for link in page.locator("header nav a").all() if link.is_visible()]


def test_phone_header_is_one_line_and_its_menu_works_without_javascript(signed_in, demo_ids):  # noqa: F811
    page = signed_in("member", java_script_enabled=False)
    assert _open(page, "/", demo_ids)
    assert harness.header_height(page) <= 56  # one line (it took 154 px, three lines, before)
    summary = page.locator("header details.menu > summary")
    assert summary.is_visible()
    assert _visible_links(page) == []  # closed: the menu takes no room on the page
    summary.click()
    assert "Sáng kiến của tôi" in _visible_links(page)
    assert page.locator("header nav button", has_text="Đăng xuất").is_visible()
    assert harness.horizontal_overflow(page) == 0
    with page.expect_navigation():
        page.locator("header nav a", has_text="Sáng kiến của tôi").click()
    assert page.url.endswith("/initiatives/mine")
    assert page.locator("header nav").get_attribute("aria-label") == "Trình đơn chính"


def test_desktop_menu_is_one_row_without_a_toggle(signed_in, demo_ids):  # noqa: F811
    page = signed_in("organizer", DESKTOP)
    assert _open(page, "/", demo_ids)
    assert not page.locator("header details.menu > summary").is_visible()
    links = page.locator("header nav a").all()
    assert len(links) >= 5 and all(link.is_visible() for link in links)
    tops = {round(link.bounding_box()["y"]) for link in links}
    assert len(tops) == 1, f"menu links on several lines: {tops}"
    assert harness.header_height(page) <= 56


CARD_PAGES = [
    # (role, path, cells of the first row that must be on screen: the key figures)
    (None, "/campaigns/{slug}/units/{district}", ("lead", "name", "Hợp lệ / chỉ tiêu", "Tiến độ")),
    ("organizer", "/admin/campaigns/{campaign}/report", ("lead", "name", "Tổng hợp lệ", "Chỉ tiêu", "% chỉ tiêu")),
    ("reviewer", "/review/", ("lead", "name", "Đơn vị", "Gửi lúc")),
    ("organizer", "/awards/", ("name", "Điểm z", "Điểm TB")),
    ("organizer", "/admin/", ("name", "Thời gian", "Mục tiêu")),
    ("organizer", "/admin/users", ("name", "Đăng nhập", "Vai trò", "Đơn vị")),
]

CELLS = """table => [...table.querySelectorAll('tbody tr')].slice(0, 3).map(row => ({
    display: getComputedStyle(row).display,
    cells: [...row.cells].map(cell => {
        const box = cell.getBoundingClientRect();
        return {label: cell.dataset.label || (cell.classList.contains('lead') ? 'lead' :
                       cell.classList.contains('name') ? 'name' : ''),
                shown: getComputedStyle(cell, '::before').content,
                left: box.left, right: box.right, top: box.top, width: box.width, text: cell.innerText.trim()};
    })}))"""


@pytest.mark.parametrize(("role", "path", "key"), CARD_PAGES, ids=[p for _r, p, _k in CARD_PAGES])
def test_tables_become_cards_that_keep_the_key_figures_on_screen(signed_in, demo_ids, role, path, key):  # noqa: F811
    page = signed_in(role)
    assert _open(page, path, demo_ids)
    table = page.locator("table.cards").first
    assert page.evaluate("t => t.querySelector('thead').getBoundingClientRect().height", table.element_handle()) <= 1
    rows = table.evaluate(CELLS)
    assert rows, f"{path}: no rows"
    for row in rows:
        assert row["display"] == "flex", row  # a card, not a squeezed table row
        cells = {cell["label"]: cell for cell in row["cells"]}
        for label in key:
            cell = cells[label]
            on_screen = cell["width"] > 10 and cell["left"] >= 0 and cell["right"] <= PHONE["width"]
            assert cell["text"] and on_screen, (label, cell)
            if label not in ("lead", "name"):
                assert cell["shown"] == f'"{label}"', cell  # the column name is written above the figure
        if "lead" in cells:  # the rank (or number) and the name share the card's first line
            assert cells["lead"]["top"] == cells["name"]["top"], row
        assert cells["name"]["width"] >= 200, cells["name"]  # the unit name is not one word per line
    assert harness.inner_scrollers(page) == []


def test_a_wide_table_that_stays_a_table_shows_it_scrolls_and_scrolls_by_keyboard(signed_in, demo_ids):  # noqa: F811
    page = signed_in("organizer", {"width": 560, "height": 800})
    assert _open(page, "/admin/campaigns/{campaign}/report", demo_ids)
    wrap = page.locator(".table-wrap").first
    facts = wrap.evaluate("""el => ({scrolls: el.scrollWidth > el.clientWidth, tabindex: el.getAttribute('tabindex'),
        role: el.getAttribute('role'), label: el.getAttribute('aria-label'),
        cue: getComputedStyle(el).backgroundImage, display: getComputedStyle(el.querySelector('tr')).display})""")
    assert facts["scrolls"] and facts["display"] == "table-row", facts  # above phone width it stays a table
    assert facts["tabindex"] == "0" and facts["role"] == "region" and facts["label"] == "Báo cáo giao ban tuần"
    assert facts["cue"].count("radial-gradient") == 2, facts["cue"]  # the edge shadows
    assert harness.horizontal_overflow(page) == 0  # the table scrolls inside its box, not the page
    wrap.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    # Arrow keys scroll smoothly: the position moves over the next frames, not at once (a busy machine is slower).
    page.wait_for_function("el => el.scrollLeft > 0", arg=wrap.element_handle(), timeout=5000)


def test_every_scroll_area_on_the_main_pages_is_focusable_and_labelled(signed_in, demo_ids):  # noqa: F811
    pages: dict[tuple, object] = {}
    unlabelled = {}
    for name, role, path in PAGES:
        for viewport in (PHONE, DESKTOP):
            page = pages.get((role, viewport["width"])) or pages.setdefault(
                (role, viewport["width"]), signed_in(role, viewport))
            assert _open(page, path, demo_ids)
            found = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(el =>
                el.scrollWidth > el.clientWidth + 1 && /(auto|scroll)/.test(getComputedStyle(el).overflowX))
                .filter(el => el.tabIndex !== 0 || !el.getAttribute('aria-label') ||
                              el.getAttribute('role') !== 'region')
                .map(el => el.outerHTML.slice(0, 80))""")
            if found:
                unlabelled[f"{name}@{viewport['width']}"] = found
    assert unlabelled == {}


BADGES = ("valid", "shortlisted", "awarded", "invalid", "returned", "submitted", "draft", "withdrawn")


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(v) for v in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in css[css.index("(") + 1:css.index(")")].replace(",", " ").split()[:3])


def test_every_status_badge_has_a_contrast_of_at_least_4_5(signed_in, demo_ids):  # noqa: F811
    page = signed_in("member")
    assert _open(page, "/initiatives/mine", demo_ids)
    colours = page.evaluate("""classes => classes.map(name => {
        const badge = document.createElement('span');
        badge.className = 'badge ' + name; badge.textContent = name;
        document.querySelector('main').append(badge);
        const style = getComputedStyle(badge);
        return [name, style.color, style.backgroundColor];
    })""", list(BADGES))
    ratios = {}
    for name, colour, background in colours:
        light, dark = sorted((_luminance(_rgb(colour)), _luminance(_rgb(background))), reverse=True)
        ratios[name] = round((light + 0.05) / (dark + 0.05), 2)
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios


@pytest.mark.parametrize(("name", "role", "path"), [pytest.param(*p, id=p[0]) for p in PAGES])
def test_no_serious_axe_violations_at_desktop_width(signed_in, demo_ids, name, role, path):  # noqa: F811
    page = signed_in(role, DESKTOP)
    assert _open(page, path, demo_ids)
    violations = harness.axe_violations(page)
    assert violations == [], f"{name}: {harness.describe(violations)}"
