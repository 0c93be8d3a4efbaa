"""`shopgen deploy`: the tracker's zip uploaded, the stack created or updated through a change
set, and its outputs written into shop.yaml, so `shopgen publish` works right after.

The zip goes to an artifacts bucket of the account (`shopgen-artifacts-ACCOUNT-REGION`, made
private on first use; `--code-bucket` names another) under a key made of its hash, so an
unchanged tracker is neither uploaded again nor redeployed.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from shopgen.config.shop_yaml import load_shop, load_shop_block
from shopgen.config.site_folder import require_shop
from shopgen.deploy.shop_yaml_edit import write_outputs
from shopgen.deploy.stack import (
    DeployError,
    check_deployable,
    create_change_set,
    discard_change_set,
    execute_and_wait,
    read_stack,
    stack_parameters,
)
from shopgen.resources import deploy_template

Echo = Callable[[str], None]
# Stack output → (shop.yaml block, key).
OUTPUTS = {"BucketName": ("publish", "bucket"), "DistributionId": ("publish", "distribution_id"),
           "TrackerEndpoint": ("tracker", "endpoint")}
MAX_TEMPLATE_BODY = 51_200  # CloudFormation's limit for TemplateBody


@dataclass(frozen=True)
class DeployOptions:
    """What `shopgen deploy` was asked to do."""

    stack: str | None = None
    region: str | None = None
    profile: str | None = None
    dry_run: bool = False
    yes: bool = False
    database_secret: str | None = None
    parameters: tuple[str, ...] = ()
    code_bucket: str | None = None
    tracker_zip: Path | None = None
    template: Path | None = None
    endpoint_url: str | None = None
    poll_seconds: float = 5.0


def default_stack_name(shop_name: str) -> str:
    """A stack name from the shop's name (letters, digits and dashes, starting with a letter)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", shop_name).strip("-").lower()
    return f"shopgen-{slug}"[:128].rstrip("-")


def secret_parameters(reference: str) -> dict[str, str]:
    """`--database-secret`: `ssm:/NAME`, `secretsmanager:NAME` or `NAME` (Secrets Manager)."""
    store, _, name = reference.partition(":")
    if not name:
        store, name = "secretsmanager", reference
    if store not in ("secretsmanager", "ssm") or not name:
        raise DeployError(f"--database-secret {reference!r}: write secretsmanager:NAME, "
                          "ssm:/NAME or just the Secrets Manager secret's NAME")
    if store == "ssm" and not name.startswith("/"):
        name = "/" + name  # the template builds the parameter's ARN from a /path name
    return {"DatabaseSecretStore": store, "DatabaseSecretName": name}


def parse_parameters(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--parameter KEY=VALUE` options as a mapping."""
    parsed = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"--parameter {pair!r}: write it as KEY=VALUE")
        parsed[key.strip()] = value
    return parsed


def deploy_command(site: Path, options: DeployOptions, *, echo: Echo,
                   confirm: Callable[[str], bool]) -> dict[str, str]:
    """The `shopgen deploy` command; AWS errors become one readable DeployError each.
    Returns the stack's outputs (empty after a dry run or a declined change set)."""
    try:
        return deploy_site(site, options, echo=echo, confirm=confirm)
    except (NoCredentialsError, PartialCredentialsError) as error:
        raise DeployError("no AWS credentials found: pass --profile, set AWS_PROFILE, or set "
                          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") from error
    except ProfileNotFound as error:
        raise DeployError(f"AWS profile {options.profile!r} not found") from error
    except NoRegionError as error:
        raise DeployError("no AWS region: pass --region or set publish.region in shop.yaml") \
            from error
    except ClientError as error:
        raise DeployError(client_error_message(error)) from error
    except BotoCoreError as error:
        raise DeployError(f"AWS request failed: {error}") from error


def client_error_message(error: ClientError) -> str:
    """One readable sentence for an AWS error answer."""
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", str(error))
    operation = error.operation_name
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "403"):
        return (f"missing permission for {operation}: {message} (the deploying user needs "
                "CloudFormation, S3, IAM, Lambda, CloudFront and API Gateway rights)")
    if code in ("InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken",
                "InvalidAccessKeyId"):
        return f"AWS refused the credentials ({code}): check them or pass --profile"
    return f"AWS request {operation} failed ({code}): {message}"


def deploy_site(site: Path, options: DeployOptions, *, echo: Echo,
                confirm: Callable[[str], bool]) -> dict[str, str]:
    """Package, upload, change set, execute, write the outputs (see the module's docstring)."""
    require_shop(site)
    shop = load_shop(site)
    region = options.region or load_shop_block(site, "publish").get("region") or None
    session = boto3.Session(profile_name=options.profile, region_name=region)
    region = session.region_name
    if not region:
        raise NoRegionError()
    if session.get_credentials() is None:
        raise NoCredentialsError()
    clients = _Clients(session, options.endpoint_url)
    account = clients.sts.get_caller_identity()["Account"]
    name = options.stack or default_stack_name(shop.name)
    state = read_stack(clients.cloudformation, name)
    check_deployable(state)

    template_body = (options.template or deploy_template()).read_text(encoding="utf-8")
    if len(template_body.encode()) > MAX_TEMPLATE_BODY:
        raise DeployError(f"the template is larger than {MAX_TEMPLATE_BODY} bytes")
    given = parse_parameters(options.parameters)
    if options.database_secret:
        given.update(secret_parameters(options.database_secret))
    if not state.exists and "DatabaseSecretName" not in given \
            and given.get("CreateDatabase") != "true":
        raise DeployError("the first deploy needs the tracker's database: pass "
                          "--database-secret NAME (a Secrets Manager secret, or ssm:/NAME for "
                          "an SSM SecureString, holding its URL) or --parameter "
                          "CreateDatabase=true (with VpcId and SubnetIds)")
    code_bucket = options.code_bucket or f"shopgen-artifacts-{account}-{region}"
    with tempfile.TemporaryDirectory(prefix="shopgen-deploy-") as work:
        zip_path = options.tracker_zip or _package(Path(work), echo)
        key = code_key(zip_path)
        if not options.dry_run:
            upload_code(clients.s3, code_bucket, key, zip_path, region, echo)
    given.update(TrackerCodeBucket=code_bucket, TrackerCodeKey=key)

    echo(f"{'Creating' if not state.exists else 'Updating'} stack {name} in {region} "
         f"(account {account}).")
    change_set = create_change_set(clients.cloudformation, state, template_body,
                                   stack_parameters(template_body, given, state),
                                   poll_seconds=options.poll_seconds)
    if not change_set.changes:
        echo("No changes: the stack is up to date.")
        outputs = dict(state.outputs)
    else:
        echo(f"Changes ({len(change_set.changes)}):")
        for change in change_set.changes:
            echo(change.line())
        if options.dry_run:
            discard_change_set(clients.cloudformation, change_set)
            echo("Dry run: the change set was not executed and has been deleted.")
            return {}
        if not options.yes and not confirm(f"Apply these changes to {name}?"):
            discard_change_set(clients.cloudformation, change_set)
            echo("Nothing was changed.")
            return {}
        echo("Executing the change set…")
        outputs = execute_and_wait(clients.cloudformation, change_set, echo=echo,
                                   poll_seconds=options.poll_seconds)
    if options.dry_run:
        return {}
    _write_outputs(site, outputs, region, echo)
    return outputs


class _Clients:
    def __init__(self, session: boto3.Session, endpoint_url: str | None):
        config = Config(retries={"mode": "standard", "max_attempts": 6},
                        s3={"addressing_style": "path"} if endpoint_url else None)

        def make(service: str) -> Any:
            return session.client(service, endpoint_url=endpoint_url, config=config)

        self.cloudformation = make("cloudformation")
        self.s3 = make("s3")
        self.sts = make("sts")


def _package(work: Path, echo: Echo) -> Path:
    from shopgen.deploy.tracker_zip import package_tracker

    return package_tracker(work / "tracker-lambda.zip", echo=echo)


def code_key(zip_path: Path) -> str:
    """The zip's key: its hash, so new code is a new key (and a Lambda update) and the same
    code is the same key (and nothing to do)."""
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()[:16]
    return f"tracker/tracker-lambda-{digest}.zip"


def upload_code(s3: Any, bucket: str, key: str, zip_path: Path, region: str,
                echo: Echo) -> None:
    """Upload the zip unless it is there; create the (private) artifacts bucket if needed."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
        echo(f"Creating the artifacts bucket {bucket}.")
        extra = {} if region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **extra)
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
    try:
        s3.head_object(Bucket=bucket, Key=key)
        echo(f"Tracker code s3://{bucket}/{key} is already uploaded.")
        return
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey"):
            raise
    s3.upload_file(str(zip_path), bucket, key)
    echo(f"Uploaded the tracker code to s3://{bucket}/{key}.")


def shop_yaml_values(outputs: Mapping[str, str], region: str) -> dict[str, dict[str, str]]:
    """The shop.yaml values the stack's outputs give: publish.* and tracker.endpoint.

    The endpoint is written as its path (/api/events): the page and the beacon share the
    distribution, so the path works under its own domain and a custom one alike, and the
    Content-Security-Policy (connect-src 'self') allows it.
    """
    blocks: dict[str, dict[str, str]] = {"publish": {"region": region}}
    for output, (block, key) in OUTPUTS.items():
        if outputs.get(output):
            value = outputs[output]
            if output == "TrackerEndpoint":
                value = urlsplit(value).path or value
            blocks.setdefault(block, {})[key] = value
    return blocks


def _write_outputs(site: Path, outputs: Mapping[str, str], region: str, echo: Echo) -> None:
    missing = [name for name in OUTPUTS if not outputs.get(name)]
    if missing:
        echo(f"Warning: the stack has no output {', '.join(missing)}; shop.yaml keeps its "
             "values for them.")
    changed = write_outputs(site, shop_yaml_values(outputs, region))
    if changed:
        echo(f"Wrote {', '.join(changed)} into {site / 'shop.yaml'}.")
    if outputs.get("SiteUrl"):
        echo(f"The shop: {outputs['SiteUrl']} (run `shopgen build && shopgen publish`).")
