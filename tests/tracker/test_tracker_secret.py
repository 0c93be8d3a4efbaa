"""The Lambda's database URL from Secrets Manager or an SSM SecureString (moto server over
HTTP): read once per container, never logged; TRACKER_DATABASE_URL still wins."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import boto3
import pytest
from s3_server import dummy_credentials
from trackerkit import api_gateway_v2_event, encode, envelope, event, stored_events

from tracker import storage
from tracker.database_secret import DatabaseSecretError, configured_database_url
from tracker.handler import handler
from tracker.migrate import upgrade_database
from tracker.privacy import salt_cache

pytest_plugins = ["s3_server"]  # moto_endpoint


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Dummy credentials, boto3 pointed at moto, and a fresh process engine."""
    dummy_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    for name in ("TRACKER_DATABASE_SECRET", "TRACKER_DATABASE_HOST", "TRACKER_DATABASE_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(storage, "_engine", None)
    salt_cache.forget()
    return moto_endpoint


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    upgrade_database(url)
    return url


def post_one() -> int:
    return handler(api_gateway_v2_event(encode(envelope(event("view")))), None)["statusCode"]


def test_secrets_manager_secret_read_once_and_never_logged(
    aws_env: str, database: str, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    name = f"shop/tracker-{uuid.uuid4().hex[:8]}"
    secrets = boto3.client("secretsmanager", endpoint_url=aws_env)
    secrets.create_secret(Name=name, SecretString=database)
    monkeypatch.setenv("TRACKER_DATABASE_SECRET", f"secretsmanager:{name}")
    caplog.set_level(logging.INFO)  # botocore itself dumps bodies only at DEBUG
    assert post_one() == 202
    engine = storage._engine
    assert engine is not None and str(engine.url) == database
    # Once per container: the secret is gone, the container goes on with what it read.
    secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    assert post_one() == 202
    assert len(stored_events(engine)) == 2
    assert database not in caplog.text and "tracker.sqlite3" not in caplog.text
    engine.dispose()


def test_ssm_secure_string(aws_env: str, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"/shop/tracker-{uuid.uuid4().hex[:8]}"
    boto3.client("ssm", endpoint_url=aws_env).put_parameter(Name=name, Value=database,
                                                            Type="SecureString")
    monkeypatch.setenv("TRACKER_DATABASE_SECRET", f"ssm:{name}")
    assert post_one() == 202
    assert str(storage._engine.url) == database
    storage._engine.dispose()


def test_rds_json_secret_with_the_proxy_as_host(aws_env: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"rds-{uuid.uuid4().hex[:8]}"
    boto3.client("secretsmanager", endpoint_url=aws_env).create_secret(
        Name=name, SecretString=json.dumps({"username": "tracker", "password": "p@ss/word"}))
    monkeypatch.setenv("TRACKER_DATABASE_SECRET", f"secretsmanager:{name}")
    monkeypatch.setenv("TRACKER_DATABASE_HOST", "proxy.example.internal")
    monkeypatch.setenv("TRACKER_DATABASE_NAME", "tracker")
    assert configured_database_url() == ("postgresql+psycopg://tracker:p%40ss%2Fword@"
                                         "proxy.example.internal:5432/tracker?sslmode=require")


def test_environment_url_takes_precedence(aws_env: str, database: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", database)
    monkeypatch.setenv("TRACKER_DATABASE_SECRET", "secretsmanager:does-not-exist")
    assert configured_database_url() == database


def test_unreadable_secret_is_a_503_that_names_the_secret_not_its_value(
    aws_env: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_SECRET", "secretsmanager:missing-secret")
    with pytest.raises(DatabaseSecretError, match="missing-secret.*ResourceNotFoundException"):
        configured_database_url()
    caplog.set_level(logging.INFO)
    assert post_one() == 503
    assert storage._engine is None  # the next request tries again
    monkeypatch.setenv("TRACKER_DATABASE_SECRET", "vault:x")
    with pytest.raises(DatabaseSecretError, match="secretsmanager:NAME or ssm:/NAME"):
        configured_database_url()
