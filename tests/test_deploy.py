"""`shopgen deploy` against moto's server over HTTP: the change set is shown, asked about,
executed with progress, and the outputs land in shop.yaml.

moto runs CloudFormation change sets and creates the template's S3 bucket, IAM role and policies,
log group and Lambda function; it skips the CloudFront, API Gateway v2, EC2 and RDS resources,
lists conditional resources as changes whatever their condition, and computes no stack outputs
after a change set runs (so writing the outputs is tested on the file, with AWS's values).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError
from click.testing import CliRunner
from s3_server import dummy_credentials
from sitekit import write_site

from shopgen.cli import main
from shopgen.deploy.command import client_error_message, shop_yaml_values
from shopgen.deploy.shop_yaml_edit import write_outputs
from shopgen.deploy.stack import DeployError, StackState, check_deployable

pytest_plugins = ["s3_server"]  # moto_endpoint

SHOP_WITH_COMMENTS = """\
# Our shop. Keep the comments!
name: Tiny Test Shop
currency: EUR
locale: en-IE
call_centre:
  phone: "+353 1 555 0100"
  hours: "Mon–Fri 9:00–17:00"
base_url: "https://tiny.example.com/"
publish:
  prefix: ""        # the bucket's root
"""

# The parts of deploy/template.yaml moto creates, with outputs it can resolve.
MOTO_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  TrackerCodeBucket: {Type: String}
  TrackerCodeKey: {Type: String}
  DatabaseSecretStore: {Type: String, Default: secretsmanager}
  DatabaseSecretName: {Type: String, Default: ""}
Resources:
  SiteBucket:
    Type: AWS::S3::Bucket
  TrackerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  TrackerFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-tracker"
      Runtime: python3.11
      Handler: tracker.handler.handler
      Role: !GetAtt TrackerRole.Arn
      Code: {S3Bucket: !Ref TrackerCodeBucket, S3Key: !Ref TrackerCodeKey}
      Environment:
        Variables:
          TRACKER_DATABASE_SECRET: !Sub "${DatabaseSecretStore}:${DatabaseSecretName}"
Outputs:
  BucketName: {Value: !Ref SiteBucket}
  DistributionId: {Value: E2MOTOTEST0001}
  TrackerEndpoint: {Value: "https://d111111abcdef8.cloudfront.net/api/events"}
  SiteUrl: {Value: "https://d111111abcdef8.cloudfront.net/"}
"""


def fake_zip(path: Path, version: str = "1") -> Path:
    """A stand-in for the tracker's zip (the real one is tested in test_tracker_package)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tracker/handler.py",
                         f"def handler(event, context):\n    return {version}\n")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    dummy_credentials(monkeypatch, tmp_path)
    return moto_endpoint


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_site(tmp_path / "shop", {"shop.yaml": SHOP_WITH_COMMENTS})


def deploy(shop: Path, endpoint: str, zip_path: Path, *args: str, stack: str,
           answer: str | None = None):
    return CliRunner().invoke(main, [
        "deploy", "--site", str(shop), "--stack", stack, "--region", "us-east-1",
        "--tracker-zip", str(zip_path), "--endpoint-url", endpoint, *args], input=answer)


def client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def stack_status(endpoint: str, stack: str) -> str | None:
    try:
        (found,) = client("cloudformation", endpoint).describe_stacks(StackName=stack)["Stacks"]
    except ClientError:
        return None
    return found["StackStatus"]


def new_stack() -> str:
    return f"shop-{uuid.uuid4().hex[:8]}"


def test_deploy_the_real_template_through_a_change_set(aws: str, shop: Path,
                                                       tmp_path: Path) -> None:
    stack = new_stack()
    code = fake_zip(tmp_path / "tracker.zip")
    result = deploy(shop, aws, code, "--database-secret", "myshop/tracker-db", stack=stack,
                    answer="y\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Creating stack {stack} in us-east-1 (account 123456789012)." in out
    assert "  Add     SiteBucket (AWS::S3::Bucket)" in out
    assert "  Add     Distribution (AWS::CloudFront::Distribution)" in out
    assert "Apply these changes to" in out and "CREATE_COMPLETE" in out
    assert stack_status(aws, stack) == "CREATE_COMPLETE"
    # The code went to the artifacts bucket, under its hash, and the Lambda was made from it.
    bucket = "shopgen-artifacts-123456789012-us-east-1"
    keys = [o["Key"] for o in client("s3", aws).list_objects_v2(Bucket=bucket)["Contents"]]
    assert any(k.startswith("tracker/tracker-lambda-") for k in keys)
    function = client("lambda", aws).get_function(FunctionName=f"{stack}-tracker")
    variables = function["Configuration"]["Environment"]["Variables"]
    assert variables["TRACKER_DATABASE_SECRET"] == "secretsmanager:myshop/tracker-db"
    assert "TRACKER_DATABASE_URL" not in variables
    resources = client("cloudformation", aws).describe_stack_resources(StackName=stack)
    site_bucket = next(r["PhysicalResourceId"] for r in resources["StackResources"]
                       if r["LogicalResourceId"] == "SiteBucket")
    client("s3", aws).head_bucket(Bucket=site_bucket)
    # moto gives no outputs for this template: said, and shop.yaml keeps its values.
    assert "Warning: the stack has no output BucketName" in out
    assert yaml.safe_load((shop / "shop.yaml").read_text())["publish"]["region"] == "us-east-1"


def test_update_keeps_the_secret_and_deploys_new_code(aws: str, shop: Path,
                                                     tmp_path: Path) -> None:
    stack = new_stack()
    template = tmp_path / "template.yaml"
    template.write_text(MOTO_TEMPLATE)
    first = deploy(shop, aws, fake_zip(tmp_path / "v1.zip"), "--template", str(template),
                   "--database-secret", "ssm:/myshop/db", "--yes", stack=stack)
    assert first.exit_code == 0, first.output
    assert "Apply these changes" not in first.output  # --yes
    assert "CREATE_COMPLETE" in first.output
    # New tracker code: an update through a change set; the secret is kept from the first
    # deploy (UsePreviousValue), the code is the new key.
    second = deploy(shop, aws, fake_zip(tmp_path / "v2.zip", "2"), "--template", str(template),
                    "--yes", stack=stack)
    assert second.exit_code == 0, second.output
    assert f"Updating stack {stack}" in second.output and "UPDATE_COMPLETE" in second.output
    assert stack_status(aws, stack) == "UPDATE_COMPLETE"
    function = client("lambda", aws).get_function(FunctionName=f"{stack}-tracker")
    variables = function["Configuration"]["Environment"]["Variables"]
    assert variables["TRACKER_DATABASE_SECRET"] == "ssm:/myshop/db"
    # The same zip again: already uploaded, not sent twice.
    third = deploy(shop, aws, tmp_path / "v2.zip", "--template", str(template), "--yes",
                   stack=stack)
    assert third.exit_code == 0, third.output
    assert "is already uploaded" in third.output
    assert "No changes: the stack is up to date." in third.output


def test_outputs_are_written_into_shop_yaml_keeping_its_comments(shop: Path) -> None:
    # moto computes no outputs after a change set runs, so the outputs are those AWS gives.
    outputs = {"BucketName": "shop-sitebucket-1a2b3c", "DistributionId": "E2ABCDEF123456",
               "TrackerEndpoint": "https://d111111abcdef8.cloudfront.net/api/events",
               "SiteUrl": "https://d111111abcdef8.cloudfront.net/"}
    changed = write_outputs(shop, shop_yaml_values(outputs, "eu-west-1"))
    assert changed == ["publish.region", "publish.bucket", "publish.distribution_id",
                       "tracker.endpoint"]
    text = (shop / "shop.yaml").read_text()
    assert text.startswith("# Our shop. Keep the comments!\nname: Tiny Test Shop\n")
    assert '  prefix: ""        # the bucket\'s root\n' in text
    assert yaml.safe_load(text)["publish"] == {
        "prefix": "", "region": "eu-west-1", "bucket": "shop-sitebucket-1a2b3c",
        "distribution_id": "E2ABCDEF123456"}
    assert yaml.safe_load(text)["tracker"] == {"endpoint": "/api/events"}
    check = CliRunner().invoke(main, ["check", "--site", str(shop)])  # the one schema reads it
    assert check.exit_code == 0, check.output
    # Again with the same outputs: nothing to change, the file is byte for byte the same.
    assert write_outputs(shop, shop_yaml_values(outputs, "eu-west-1")) == []
    assert (shop / "shop.yaml").read_text() == text


def test_dry_run_prints_the_change_set_only(aws: str, shop: Path, tmp_path: Path) -> None:
    stack = new_stack()
    before = (shop / "shop.yaml").read_text()
    result = deploy(shop, aws, fake_zip(tmp_path / "t.zip"), "--database-secret", "db",
                    "--dry-run", "--code-bucket", f"code-{stack}", stack=stack)
    assert result.exit_code == 0, result.output
    assert "  Add     TrackerFunction (AWS::Lambda::Function)" in result.output
    assert "Dry run: the change set was not executed" in result.output
    assert stack_status(aws, stack) in (None, "DELETE_COMPLETE")
    with pytest.raises(ClientError):  # nothing uploaded either
        client("s3", aws).head_bucket(Bucket=f"code-{stack}")
    assert (shop / "shop.yaml").read_text() == before


def test_declining_changes_nothing(aws: str, shop: Path, tmp_path: Path) -> None:
    stack = new_stack()
    result = deploy(shop, aws, fake_zip(tmp_path / "t.zip"), "--database-secret", "db",
                    stack=stack, answer="n\n")
    assert result.exit_code == 0, result.output
    assert "Nothing was changed." in result.output
    assert stack_status(aws, stack) in (None, "DELETE_COMPLETE")


def test_first_deploy_needs_a_database(aws: str, shop: Path, tmp_path: Path) -> None:
    result = deploy(shop, aws, fake_zip(tmp_path / "t.zip"), stack=new_stack())
    assert result.exit_code == 1
    assert "Error: the first deploy needs the tracker's database: pass --database-secret" \
        in result.output


def test_no_credentials_is_one_error(moto_endpoint: str, shop: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = deploy(shop, moto_endpoint, fake_zip(tmp_path / "t.zip"), "--database-secret",
                    "db", stack=new_stack())
    assert result.exit_code == 1
    assert result.output.startswith("Error: no AWS credentials found")
    assert "Traceback" not in result.output


def test_a_rolled_back_stack_says_what_to_do() -> None:
    with pytest.raises(DeployError, match="delete it .aws cloudformation delete-stack "
                                          "--stack-name shop. and deploy again"):
        check_deployable(StackState("shop", True, "ROLLBACK_COMPLETE"))
    with pytest.raises(DeployError, match="busy"):
        check_deployable(StackState("shop", True, "UPDATE_IN_PROGRESS"))
    check_deployable(StackState("shop", True, "UPDATE_ROLLBACK_COMPLETE"))  # may update again


def test_missing_permission_is_one_sentence() -> None:
    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "User: x is not "
                                  "authorized to perform: cloudformation:CreateChangeSet"}},
                        "CreateChangeSet")
    message = client_error_message(error)
    assert message.startswith("missing permission for CreateChangeSet: User: x is not "
                              "authorized")
