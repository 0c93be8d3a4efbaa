"""The merchandiser's daily work: `check`, `build --date/--force`, the next price change, and
a daily rebuild + publish that uploads nothing when nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from s3_server import AwsSite
from sitekit import product, write_site

from shopgen.cli import main

pytest_plugins = ["s3_server"]  # moto fixtures: moto_endpoint, aws


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def broken_site(tiny_site: Path) -> Path:
    write_site(tiny_site, {"products/zz-1.yaml": product("ZZ-1", price='"-3"'),
                           "products/zz-2.yaml": product("ZZ-2", brand="nobody")})
    return tiny_site


def test_check_a_valid_catalog(tiny_site: Path) -> None:
    result = run("check", "--site", str(tiny_site))
    assert result.exit_code == 0, result.output
    assert result.output == f"{tiny_site}: 3 products, no problems.\n"
    assert not (tiny_site / "build").exists()  # checked, not built


def test_check_lists_the_builds_own_problems(broken_site: Path) -> None:
    checked = run("check", "--site", str(broken_site))
    built = run("build", "--site", str(broken_site))
    assert checked.exit_code == built.exit_code == 1
    assert checked.output == built.output
    assert "Error: the catalog has 2 problems:" in checked.output
    assert "  products/zz-1.yaml:" in checked.output and "greater than 0" in checked.output


def test_check_json_for_tools(broken_site: Path) -> None:
    result = run("check", "--site", str(broken_site), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False and report["site"] == str(broken_site)
    by_file = {p["file"]: p for p in report["problems"]}
    assert set(by_file) == {"products/zz-1.yaml", "products/zz-2.yaml"}
    price = by_file["products/zz-1.yaml"]
    lines = (broken_site / "products/zz-1.yaml").read_text().splitlines()
    assert lines[price["line"] - 1].startswith("price:")
    assert "greater than 0" in price["message"]


def test_check_json_of_a_valid_catalog(tiny_site: Path) -> None:
    result = run("check", "--site", str(tiny_site), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"ok": True, "site": str(tiny_site), "products": 3,
                                         "problems": []}


def test_build_as_of_a_date_uses_that_days_prices(tiny_site: Path) -> None:
    today = run("build", "--site", str(tiny_site), "--date", "2026-11-24")
    assert today.exit_code == 0, today.output
    assert "Next price change: 2099-01-01" in today.output
    page = (tiny_site / "build" / "index.html").read_text()
    assert "€45.00" in page and "€55.00" not in page
    later = run("build", "--site", str(tiny_site), "--date", "2099-01-01")
    assert later.exit_code == 0, later.output
    assert "Next price change" not in later.output
    assert "€55.00" in (tiny_site / "build" / "index.html").read_text()


def test_bad_date_is_a_usage_error(tiny_site: Path) -> None:
    result = run("build", "--site", str(tiny_site), "--date", "24/11/2026")
    assert result.exit_code == 2
    assert "'24/11/2026' does not match the format '%Y-%m-%d'" in result.output


def test_force_builds_even_when_nothing_changed(tiny_site: Path) -> None:
    args = ("build", "--site", str(tiny_site), "--date", "2026-11-24")
    assert run(*args).exit_code == 0
    again = run(*args)
    assert again.exit_code == 0 and "Nothing changed since the last build." in again.output
    forced = run(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert "Nothing changed" not in forced.output and "Built 3 products" in forced.output


def test_daily_rebuild_then_publish_uploads_nothing(tiny_site: Path, aws: AwsSite) -> None:
    publish = ("publish", "--site", str(tiny_site), "--bucket", aws.bucket,
               "--endpoint-url", aws.endpoint)
    assert run("build", "--site", str(tiny_site), "--date", "2026-11-24").exit_code == 0
    first = run(*publish)
    assert first.exit_code == 0, first.output
    # The next morning: the cron line rebuilds (a new day is a new build) and publishes.
    rebuilt = run("build", "--site", str(tiny_site), "--date", "2026-11-25")
    assert rebuilt.exit_code == 0 and "Built 3 products" in rebuilt.output
    second = run(*publish)
    assert second.exit_code == 0, second.output
    assert "Uploaded 0 files" in second.output
