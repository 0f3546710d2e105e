"""The suite empties the database it runs on: it refuses one whose name does not say it is for tests."""
from __future__ import annotations

import subprocess
import sys

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
