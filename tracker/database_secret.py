"""Where the Lambda finds its database: TRACKER_DATABASE_URL when set (local runs, tests,
`shopgen serve`), else the secret that TRACKER_DATABASE_SECRET names.

TRACKER_DATABASE_SECRET is `secretsmanager:<name or ARN>` or `ssm:<parameter name>` (an SSM
SecureString). The secret holds either a SQLAlchemy URL or, as RDS writes its managed secrets,
JSON with username and password (host, port and dbname from the JSON or from
TRACKER_DATABASE_HOST / TRACKER_DATABASE_NAME, which the stack sets to its RDS Proxy). It is
read when the engine is made, so once per Lambda container; its value is never logged, and a
failed read says which secret and why, never what it holds.
"""

from __future__ import annotations

import json
import os
from typing import Any

from sqlalchemy.engine import URL

URL_VARIABLE = "TRACKER_DATABASE_URL"
SECRET_VARIABLE = "TRACKER_DATABASE_SECRET"
HOST_VARIABLE = "TRACKER_DATABASE_HOST"
NAME_VARIABLE = "TRACKER_DATABASE_NAME"
STORES = ("secretsmanager", "ssm")


class DatabaseSecretError(RuntimeError):
    """The database secret is not named, cannot be read, or holds no usable URL."""


def configured_database_url() -> str:
    """The database URL: TRACKER_DATABASE_URL, else the one in the named secret."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return url
    reference = os.environ.get(SECRET_VARIABLE, "").strip()
    if not reference:
        raise DatabaseSecretError(f"neither {URL_VARIABLE} nor {SECRET_VARIABLE} is set")
    return url_from_secret(read_secret(reference))


def read_secret(reference: str) -> str:
    """The text of the secret `secretsmanager:NAME` or `ssm:NAME`."""
    store, _, name = reference.partition(":")
    if store not in STORES or not name:
        raise DatabaseSecretError(f"{SECRET_VARIABLE} must look like secretsmanager:NAME or "
                                  f"ssm:/NAME, not {reference!r}")
    # boto3 is part of the Lambda runtime (not of the zip); imported only when a secret is used.
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if store == "secretsmanager":
            answer = boto3.client("secretsmanager").get_secret_value(SecretId=name)
            return str(answer["SecretString"])
        answer = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
        return str(answer["Parameter"]["Value"])
    except (ClientError, BotoCoreError, KeyError) as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
        raise DatabaseSecretError(f"cannot read the database secret {reference} ({code})") \
            from None


def url_from_secret(text: str) -> str:
    """A SQLAlchemy URL from the secret's text: a URL as is, or RDS's JSON secret."""
    text = text.strip()
    if not text.startswith("{"):
        if "://" not in text:
            raise DatabaseSecretError("the database secret holds neither a URL nor JSON")
        return text
    try:
        fields: dict[str, Any] = json.loads(text)
        username, password = fields["username"], fields["password"]
    except (ValueError, KeyError, TypeError):
        raise DatabaseSecretError("the database secret's JSON lacks username and password") \
            from None
    host = os.environ.get(HOST_VARIABLE) or fields.get("host")
    database = os.environ.get(NAME_VARIABLE) or fields.get("dbname") or "postgres"
    if not host:
        raise DatabaseSecretError(f"the database secret names no host and {HOST_VARIABLE} "
                                  "is not set")
    url = URL.create("postgresql+psycopg", username=str(username), password=str(password),
                     host=str(host), port=int(fields.get("port") or 5432), database=database,
                     query={"sslmode": "require"})  # RDS Proxy is set to require TLS
    return url.render_as_string(hide_password=False)
