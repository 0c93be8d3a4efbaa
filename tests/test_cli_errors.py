"""The CLI's error contract: `Error: …` and exit 1 without a traceback; --debug shows it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import shopgen.build
from shopgen.cli import main


def explode(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("disk on fire")


def test_unexpected_error_is_one_line_without_debug(monkeypatch: pytest.MonkeyPatch,
                                                    tiny_site) -> None:
    monkeypatch.setattr(shopgen.build, "build_site", explode)
    result = CliRunner().invoke(main, ["build", "--site", str(tiny_site)])
    assert result.exit_code == 1
    assert "Error: unexpected RuntimeError: disk on fire" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, tiny_site) -> None:
    monkeypatch.setattr(shopgen.build, "build_site", explode)
    result = CliRunner().invoke(main, ["--debug", "build", "--site", str(tiny_site)])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)  # re-raised: click prints the traceback


def test_debug_prints_the_traceback_of_a_user_error(tiny_site) -> None:
    (tiny_site / "shop.yaml").unlink()
    result = CliRunner().invoke(main, ["--debug", "build", "--site", str(tiny_site)])
    assert result.exit_code == 1
    assert "Traceback" in result.output and "Error:" in result.output
