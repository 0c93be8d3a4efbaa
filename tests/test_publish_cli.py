"""`shopgen publish` wiring: options, shop.yaml settings and readable errors (CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from s3_server import AwsSite, dummy_credentials, write_fake_build

from shopgen.cli import main

pytest_plugins = ["s3_server"]  # moto fixtures: moto_endpoint, aws, failing_proxy

PRODUCTS = {"NW-1001": "red shoes", "NW-1002": "blue hat"}


def make_site(root: Path, publish: dict | None) -> Path:
    root.mkdir()
    config = {"name": "Test shop", "currency": "EUR"}
    if publish is not None:
        config["publish"] = publish
    (root / "shop.yaml").write_text(yaml.safe_dump(config))
    write_fake_build(root / "build", PRODUCTS)
    return root


def run(*args: str):
    return CliRunner().invoke(main, ["publish", *args])


def test_dry_run_prints_the_plan_and_uploads_nothing(aws: AwsSite, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"bucket": aws.bucket, "region": "us-east-1",
                                         "distribution_id": aws.distribution_id})
    result = run("--site", str(site), "--dry-run", "--endpoint-url", aws.endpoint)
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output and "Upload (" in result.output
    assert "  index.html" in result.output and "Invalidate: 5" in result.output
    assert aws.keys() == set()


def test_publish_then_nothing_to_do(aws: AwsSite, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"bucket": "overridden", "prefix": "shop"})
    args = ["--site", str(site), "--endpoint-url", aws.endpoint, "--bucket", aws.bucket,
            "--distribution-id", aws.distribution_id]
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert "Uploaded 11 files" in first.output and "CloudFront invalidation" in first.output
    assert "shop/index.html" in aws.keys()
    second = run(*args)
    assert second.exit_code == 0 and "Uploaded 0 files" in second.output
    assert "invalidation" not in second.output


def test_missing_bucket_setting_is_a_clear_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", None)
    result = run("--site", str(site))
    assert result.exit_code == 1
    assert "Error: no bucket to publish to" in result.output and "--bucket" in result.output
    assert "Traceback" not in result.output


def test_bucket_that_does_not_exist(aws: AwsSite, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"bucket": "no-such-bucket-here"})
    result = run("--site", str(site), "--endpoint-url", aws.endpoint)
    assert result.exit_code == 1
    assert "Error: bucket 'no-such-bucket-here' does not exist" in result.output
    assert "Traceback" not in result.output


def test_distribution_that_does_not_exist(aws: AwsSite, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"bucket": aws.bucket, "distribution_id": "ENOPE123"})
    result = run("--site", str(site), "--endpoint-url", aws.endpoint)
    assert result.exit_code == 1
    assert "Error: CloudFront distribution 'ENOPE123' does not exist" in result.output
    assert aws.keys() == set()  # checked before anything is uploaded


def test_missing_credentials(moto_endpoint: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    site = make_site(tmp_path / "site", {"bucket": "any"})
    result = run("--site", str(site), "--endpoint-url", moto_endpoint)
    assert result.exit_code == 1
    assert "Error: no AWS credentials found" in result.output
    assert "Traceback" not in result.output


def test_unknown_profile(moto_endpoint: str, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch, tmp_path)
    site = make_site(tmp_path / "site", {"bucket": "any"})
    result = run("--site", str(site), "--profile", "nobody", "--endpoint-url", moto_endpoint)
    assert result.exit_code == 1 and "Error: AWS profile 'nobody' not found" in result.output


def test_missing_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "shop.yaml").write_text(yaml.safe_dump({"publish": {"bucket": "b"}}))
    result = run("--site", str(site))
    assert result.exit_code == 1 and "run `shopgen build` first" in result.output
