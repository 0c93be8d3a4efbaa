"""`db upgrade`, `serve` and `report` with a database they cannot use: one `Error:` line, exit 1,
no traceback; and `postgres://` is read as PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib.util
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from pgkit import fresh_postgres_database

from shopgen.cli import main

COMMANDS = {
    "db upgrade": ["db", "upgrade"],
    "serve": ["serve", "--port", "0"],
    "report": ["report"],
}


def run(site: Path, command: str, url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    return CliRunner().invoke(main, [*COMMANDS[command], "--site", str(site)])


def assert_one_error_line(result, *expected: str) -> str:
    """Exit 1 and exactly one line of output, an `Error:` holding every ``expected`` text."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("command", COMMANDS)
def test_unreachable_postgresql_is_one_error_line(command, tiny_site, monkeypatch) -> None:
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{closed_port()}/shop"
    line = assert_one_error_line(run(tiny_site, command, url, monkeypatch),
                                 "tracker database", "Connection refused", "running")
    assert "secret" not in line


@pytest.mark.parametrize("command", COMMANDS)
def test_postgresql_database_that_does_not_exist_is_one_error_line(command, tiny_site,
                                                                    monkeypatch) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/shopgen_no_such_database"
    assert_one_error_line(run(tiny_site, command, url, monkeypatch),
                          'database "shopgen_no_such_database" does not exist')


@pytest.mark.parametrize("command", COMMANDS)
def test_not_a_url_is_one_error_line(command, tiny_site, monkeypatch) -> None:
    line = assert_one_error_line(run(tiny_site, command, "not a url:secret", monkeypatch),
                                 "TRACKER_DATABASE_URL is not a database URL")
    assert "secret" not in line


@pytest.mark.parametrize("command", COMMANDS)
def test_mysql_url_is_one_error_line(command, tiny_site, monkeypatch) -> None:
    assert_one_error_line(run(tiny_site, command, "mysql://shop@127.0.0.1/shop", monkeypatch),
                          "must be PostgreSQL or SQLite, not mysql")


@pytest.mark.parametrize("command", COMMANDS)
def test_asyncpg_url_is_one_error_line(command, tiny_site, monkeypatch) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    assert_one_error_line(run(tiny_site, command, url, monkeypatch),
                          "postgresql+asyncpg is an asyncio driver")


@pytest.mark.skipif(importlib.util.find_spec("psycopg2") is not None,
                    reason="psycopg2 is installed here")
@pytest.mark.parametrize("command", COMMANDS)
def test_psycopg2_url_without_the_driver_is_one_error_line(command, tiny_site,
                                                           monkeypatch) -> None:
    url = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    assert_one_error_line(run(tiny_site, command, url, monkeypatch),
                          "driver for postgresql+psycopg2 is not installed", "psycopg2")


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_dialect_is_one_error_line(command, tiny_site, monkeypatch) -> None:
    assert_one_error_line(run(tiny_site, command, "postgresql+nodriver://h/db", monkeypatch),
                          "no database driver named postgresql+nodriver")


@pytest.mark.parametrize("command", ["db upgrade", "serve"])
def test_sqlite_file_in_a_missing_folder_is_one_error_line(command, tiny_site, tmp_path,
                                                           monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'events.sqlite3'}"
    assert_one_error_line(run(tiny_site, command, url, monkeypatch),
                          "unable to open database file", "folder")


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_scheme_url_is_read_as_postgresql(scheme, tiny_site, monkeypatch) -> None:
    with fresh_postgres_database("shopgen_url") as url:
        plain = url.replace("postgresql+psycopg://", f"{scheme}://")
        monkeypatch.setenv("TRACKER_DATABASE_URL", plain)
        upgraded = CliRunner().invoke(main, ["db", "upgrade", "--site", str(tiny_site)])
        assert upgraded.exit_code == 0, upgraded.output
        reported = CliRunner().invoke(main, ["report", "--site", str(tiny_site),
                                             "--format", "json"])
        assert reported.exit_code == 0, reported.output
        assert '"empty": true' in reported.output


def report_with(site: Path, *options: str):
    return CliRunner().invoke(main, ["report", "--site", str(site), *options])


@pytest.mark.parametrize("option", ["--until", "--since"])
def test_report_date_9999_12_31_is_a_usage_error(option, tiny_site) -> None:
    result = report_with(tiny_site, option, "9999-12-31")
    assert result.exit_code == 2, result.output
    assert "9999-12-31 is not between 2000-01-01 and" in result.output
    assert "Traceback" not in result.output


def test_report_date_before_2000_is_a_usage_error(tiny_site) -> None:
    result = report_with(tiny_site, "--since", "0001-01-01")
    assert result.exit_code == 2 and "is not between 2000-01-01" in result.output


def test_report_since_after_until_is_a_usage_error(tiny_site) -> None:
    result = report_with(tiny_site, "--since", "2026-05-02", "--until", "2026-05-01")
    assert result.exit_code == 2, result.output
    assert "--since 2026-05-02 is after --until 2026-05-01" in result.output


def test_report_since_in_the_future_without_until_is_a_usage_error(tiny_site) -> None:
    later = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat()
    result = report_with(tiny_site, "--since", later)
    assert result.exit_code == 2 and f"--since {later} is after today" in result.output


def test_report_until_within_a_year_ahead_is_accepted(tiny_site, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tiny_site / 'events.sqlite3'}")
    assert CliRunner().invoke(main, ["db", "upgrade", "--site", str(tiny_site)]).exit_code == 0
    until = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=300)).isoformat()
    result = report_with(tiny_site, "--until", until, "--format", "json")
    assert result.exit_code == 0, result.output
    assert f'"until": "{until}"' in result.output
