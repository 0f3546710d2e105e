"""The code's layout rules (docs/ARCHITECTURE.md), read from the imports of every module under app/.

Areas (blueprint packages: a folder of app/ with a routes.py) never import each other: what two areas share is a
rule of app/domain/ (or app/policy.py for authorization). The domain sits below the areas, the policy and the web
helpers: it never imports them.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
AREAS = sorted(p.parent.name for p in APP.glob("*/routes.py"))
ABOVE_THE_DOMAIN = {*AREAS, "policy", "web", "navigation", "cli", "demo"}


def _module_of(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every ``app.…`` module a file imports, relative imports resolved, at any depth (function-level too)."""
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "app")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "app":
                continue
            found.add(target)
            # ``from .. import policy`` / ``from ..domain import uploads`` import modules by name.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _top(module: str) -> str:
    """The first level below ``app``: an area's name, ``domain``, ``policy``, …"""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _sources() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py"))


def test_the_areas_are_found():
    assert {"admin", "auth", "awards", "dashboard", "main", "review", "submissions"} <= set(AREAS)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(APP)))
def test_areas_never_import_each_other(path):
    own = _top(_module_of(path))
    if own not in AREAS:
        return
    crossing = sorted(m for m in imports_of(path) if _top(m) in AREAS and _top(m) != own)
    assert not crossing, f"{path.relative_to(APP.parent)} reaches into another area: {crossing}"


@pytest.mark.parametrize("path", sorted(APP.joinpath("domain").rglob("*.py")), ids=lambda p: p.name)
def test_the_domain_never_imports_what_stands_above_it(path):
    upward = sorted(m for m in imports_of(path) if _top(m) in ABOVE_THE_DOMAIN)
    assert not upward, f"{path.relative_to(APP.parent)} imports from above the domain: {upward}"


def test_the_import_reader_sees_relative_and_late_imports():
    """The reader itself: a late relative import of another area is found (else the rules above prove nothing)."""
    probe = APP / "review" / "_layout_probe.py"
    probe.write_text("def f():\n    from ..submissions.service import x\n    from .. import policy\n", encoding="utf-8")
    try:
        assert imports_of(probe) >= {"app.submissions.service", "app.submissions.service.x", "app.policy"}
    finally:
        probe.unlink()
