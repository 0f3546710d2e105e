"""The suite empties the database it runs on: it refuses one whose name does not say it is for tests."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import refuse_non_test_database


@pytest.mark.parametrize("url", ["postgresql+psycopg://postgres@127.0.0.1/sangkien",
                                 "postgresql+psycopg://postgres@127.0.0.1/postgres"])
def test_fixtures_refuse_a_database_not_named_for_tests(url):
    with pytest.raises(pytest.UsageError):
        refuse_non_test_database(url)


def test_fixtures_accept_test_databases():
    refuse_non_test_database("postgresql+psycopg://postgres@127.0.0.1/sangkien_test")
    refuse_non_test_database("sqlite:///anything.db")


def test_database_creator_refuses_other_names_and_reports_unreachable_servers():
    refused = subprocess.run([sys.executable, "-m", "tests.pgtestdb", "postgresql://postgres@127.0.0.1/prod"],
                             capture_output=True, text=True)
    assert refused.returncode == 1 and "refusing" in refused.stderr
    # Port 9 (discard) has no PostgreSQL: a loud failure, not a silent skip.
    unreachable = subprocess.run([sys.executable, "-m", "tests.pgtestdb",
                                  "postgresql://postgres@127.0.0.1:9/sangkien_test"], capture_output=True, text=True)
    assert unreachable.returncode == 1 and "unreachable" in unreachable.stderr


def test_a_run_on_a_database_not_named_for_tests_stops_before_touching_it():
    """The fixtures call the refusal: a run pointed at another database ends with the reason, before connecting.

    Port 9 has no server, so a run that did try to connect would fail differently (and a real one would be emptied).
    """
    env = {**os.environ, "TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/sangkien"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_app.py::test_factory_uses_given_config"],
                         capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    assert run.returncode != 0
    assert "its name must contain 'test'" in run.stdout + run.stderr
    assert "Connection refused" not in run.stdout + run.stderr
