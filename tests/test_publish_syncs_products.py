"""`shopgen publish` syncs the products table after a successful upload (moto over HTTP)."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from s3_server import AwsSite, write_fake_build
from sitekit import write_site
from sqlalchemy import create_engine, select

from shopgen.cli import main
from tracker.migrate import upgrade_database
from tracker.models import products_table

pytest_plugins = ["s3_server"]  # moto fixtures: moto_endpoint, aws


def test_publish_writes_the_products_table(aws: AwsSite, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    settings = yaml.safe_load((site / "shop.yaml").read_text())
    settings["publish"] = {"bucket": aws.bucket}
    (site / "shop.yaml").write_text(yaml.safe_dump(settings))
    write_fake_build(site / "build", {"AC-1": "a jacket"})
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    upgrade_database(url)
    runner = CliRunner()
    args = ["publish", "--site", str(site), "--endpoint-url", aws.endpoint]
    dry = runner.invoke(main, [*args, "--dry-run"], env={"TRACKER_DATABASE_URL": url})
    assert dry.exit_code == 0 and "Products table synced" not in dry.output
    result = runner.invoke(main, args, env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "Products table synced:" in result.output
    engine = create_engine(url)
    with engine.connect() as connection:
        skus = set(connection.execute(select(products_table.c.sku)).scalars())
    engine.dispose()
    assert {"AC-1", "AC-2"} <= skus


def test_a_missing_database_does_not_fail_the_publish(aws: AwsSite, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    settings = yaml.safe_load((site / "shop.yaml").read_text())
    settings["publish"] = {"bucket": aws.bucket}
    (site / "shop.yaml").write_text(yaml.safe_dump(settings))
    write_fake_build(site / "build", {"AC-1": "a jacket"})
    url = f"sqlite:///{tmp_path / 'nothing.sqlite3'}"
    result = CliRunner().invoke(main, ["publish", "--site", str(site), "--endpoint-url",
                                       aws.endpoint], env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "Uploaded" in result.output
    assert "Warning: the products table was not synced" in result.output
    assert "shopgen db upgrade" in result.output
