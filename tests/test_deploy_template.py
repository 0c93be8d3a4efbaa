"""deploy/template.yaml: cfn-lint passes and the pieces the issue asks for are there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags (!Ref, !Sub, …) as {"Fn": value}."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)


def resources(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]


def test_cfn_lint_passes() -> None:
    beside = Path(sys.executable).parent / "cfn-lint"
    cfn_lint = str(beside) if beside.exists() else shutil.which("cfn-lint")
    assert cfn_lint, "cfn-lint is not installed (pip install -e '.[dev]')"
    result = subprocess.run([cfn_lint, str(TEMPLATE)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bucket_is_private_and_read_through_origin_access_control(template: dict) -> None:
    (bucket,) = resources(template, "AWS::S3::Bucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (oac,) = resources(template, "AWS::CloudFront::OriginAccessControl")
    assert oac["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    (policy,) = resources(template, "AWS::S3::BucketPolicy")
    allow = policy["PolicyDocument"]["Statement"][0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in allow["Condition"]["StringEquals"]


def test_distribution(template: dict) -> None:
    (dist,) = resources(template, "AWS::CloudFront::Distribution")
    config = dist["DistributionConfig"]
    site, tracker = config["Origins"]
    assert site["OriginAccessControlId"] and site["S3OriginConfig"]["OriginAccessIdentity"] == ""
    default = config["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https" and default["Compress"]
    assert default["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeaders"}
    assert {"ErrorCode": 404, "ResponseCode": 404, "ResponsePagePath": "/404.html",
            "ErrorCachingMinTTL": 10} in config["CustomErrorResponses"]
    (api,) = config["CacheBehaviors"]
    assert api["PathPattern"] == "/api/events*" and api["TargetOriginId"] == tracker["Id"]
    assert "POST" in api["AllowedMethods"]
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert tracker["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    (headers,) = resources(template, "AWS::CloudFront::ResponseHeadersPolicy")
    security = headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert {"StrictTransportSecurity", "ContentTypeOptions", "FrameOptions", "ReferrerPolicy",
            "ContentSecurityPolicy"} <= set(security)


def test_tracker_lambda_api_and_logs(template: dict) -> None:
    (function,) = resources(template, "AWS::Lambda::Function")
    assert function["Runtime"] == "python3.11" and function["Architectures"] == ["x86_64"]
    assert function["Handler"] == "tracker.handler.handler"
    assert function["Code"] == {"S3Bucket": {"Ref": "TrackerCodeBucket"},
                                "S3Key": {"Ref": "TrackerCodeKey"}}
    variables = function["Environment"]["Variables"]
    assert "TRACKER_DATABASE_URL" not in variables  # no password in the Lambda's environment
    assert variables["TRACKER_DATABASE_SECRET"]["Fn::If"][2] == {
        "Fn::Sub": "${DatabaseSecretStore}:${DatabaseSecretName}"}
    assert "DatabaseUrl" not in template["Parameters"]
    (logs,) = resources(template, "AWS::Logs::LogGroup")
    assert logs["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "TrackerLogGroup"}
    routes = [r["RouteKey"] for r in resources(template, "AWS::ApiGatewayV2::Route")]
    assert "ANY /api/events" in routes
    (stage,) = resources(template, "AWS::ApiGatewayV2::Stage")
    assert {"ThrottlingRateLimit", "ThrottlingBurstLimit"} <= set(stage["DefaultRouteSettings"])


def role_policies(template: dict) -> dict[str, dict]:
    """The policies attached to the tracker's role, by name, with their condition."""
    return {r["Properties"]["PolicyName"]: {**r["Properties"], "condition": r.get("Condition")}
            for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"
            and r["Properties"]["Roles"] == [{"Ref": "TrackerRole"}]}


def test_the_lambda_may_read_its_database_secret_only(template: dict) -> None:
    policies = role_policies(template)
    secrets = policies["read-database-secret"]
    assert secrets["condition"] == "ReadsSecretsManager"
    (statement,) = secrets["PolicyDocument"]["Statement"]
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    assert statement["Resource"]["Fn::Sub"].endswith(":secret:${DatabaseSecretName}-??????")
    assert policies["read-database-parameter"]["condition"] == "ReadsSsm"
    assert policies["read-created-database-secret"]["condition"] == "CreateDatabase"
    (ssm,) = policies["read-database-parameter"]["PolicyDocument"]["Statement"]
    assert ssm["Action"] == "ssm:GetParameter"
    assert ssm["Resource"]["Fn::Sub"].endswith(":parameter${DatabaseSecretName}")
    (created,) = policies["read-created-database-secret"]["PolicyDocument"]["Statement"]
    assert created["Resource"] == {"Fn::GetAtt": "DatabaseCluster.MasterUserSecret.SecretArn"}
    every_action = [s["Action"] for p in policies.values()
                    for s in p["PolicyDocument"]["Statement"]]
    assert "*" not in str(every_action)


def test_optional_aurora_serverless_behind_rds_proxy(template: dict) -> None:
    created = {name: r for name, r in template["Resources"].items()
               if r.get("Condition") == "CreateDatabase"}
    kinds = {r["Type"] for r in created.values()}
    assert {"AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::RDS::DBProxy",
            "AWS::RDS::DBProxyTargetGroup", "AWS::EC2::VPCEndpoint"} <= kinds
    (cluster,) = [r["Properties"] for r in created.values() if r["Type"] == "AWS::RDS::DBCluster"]
    assert cluster["Engine"] == "aurora-postgresql" and cluster["ManageMasterUserPassword"]
    assert "ServerlessV2ScalingConfiguration" in cluster
    (instance,) = [r["Properties"] for r in created.values()
                   if r["Type"] == "AWS::RDS::DBInstance"]
    assert instance["DBInstanceClass"] == "db.serverless"
    (proxy,) = [r["Properties"] for r in created.values() if r["Type"] == "AWS::RDS::DBProxy"]
    assert proxy["RequireTLS"] is True
    function = template["Resources"]["TrackerFunction"]["Properties"]
    assert function["VpcConfig"]["Fn::If"][0] == "InVpc"
    assert template["Conditions"]["InVpc"] == {"Fn::Or": [{"Fn::Condition": "SubnetsGiven"},
                                                         {"Fn::Condition": "CreateDatabase"}]}


# --- operating the tracker (issue 17) -----------------------------------------------------

def named(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_alarms_go_to_a_topic_with_an_email_subscription_parameter(template: dict) -> None:
    (topic_name,) = named(template, "AWS::SNS::Topic")
    (subscription,) = named(template, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert subscription["Properties"]["TopicArn"] == {"Ref": topic_name}
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""  # optional
    alarms = named(template, "AWS::CloudWatch::Alarm")
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_name}]
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching"
    watched = {}
    for alarm in alarms.values():
        props = alarm["Properties"]
        if "Metrics" in props:
            for query in props["Metrics"]:
                if "MetricStat" in query:
                    metric = query["MetricStat"]["Metric"]
                    watched.setdefault((metric["Namespace"], metric["MetricName"]), props)
        else:
            watched[(props["Namespace"], props["MetricName"])] = props
    assert {("AWS/ApiGateway", "5xx"), ("AWS/ApiGateway", "Count"), ("AWS/Lambda", "Throttles"),
            ("Shopgen/Tracker", "DatabaseErrors"), ("AWS/Lambda", "Duration"),
            ("AWS/Lambda", "Errors")} <= set(watched)
    assert watched[("AWS/Lambda", "Duration")]["ExtendedStatistic"] == "p99"
    (rate,) = [q for a in alarms.values() for q in a["Properties"].get("Metrics", [])
               if "Expression" in q]
    assert "errors / requests" in rate["Expression"] and rate["ReturnData"] is True


def test_the_dashboard_shows_requests_events_rejects_latency_and_errors(template: dict) -> None:
    (dashboard,) = resources(template, "AWS::CloudWatch::Dashboard")
    body_template, variables = dashboard["DashboardBody"]["Fn::Sub"]
    assert variables["Namespace"] == "Shopgen/Tracker"
    # What !Sub would make of it, with stand-ins for the stack's names.
    text = body_template.replace("${Namespace}", "Shopgen/Tracker")
    for placeholder in ("${AWS::Region}", "${TrackerApi}", "${TrackerFunction}", "${Service}"):
        text = text.replace(placeholder, "x")
    text = text.replace("${Alarm}", "arn:aws:cloudwatch:r:1:alarm:shop-tracker")
    assert "${" not in text
    widgets = json.loads(text)["widgets"]
    titles = " | ".join(w["properties"]["title"] for w in widgets)
    for wanted in ("Requests", "Events per minute", "by reason", "p50 and p99", "Errors"):
        assert wanted in titles
    shown = json.dumps(widgets)
    for metric in ("EventsAccepted", "EventsRejected", "DatabaseCommitLatency", "Duration",
                   "Throttles", "DatabaseErrors", '"Count"', '"5xx"'):
        assert metric in shown, metric
    assert '"p99"' in shown and '"p50"' in shown
    assert "SEARCH(" in shown and "reason" in shown
    # The alarm widget lists every alarm, by the ARN its name gives.
    (alarm_widget,) = [w for w in widgets if w["type"] == "alarm"]
    names = {a["Properties"]["AlarmName"]["Fn::Sub"].replace("${AWS::StackName}", "shop")
             for a in named(template, "AWS::CloudWatch::Alarm").values()}
    assert {arn.rsplit(":", 1)[1] for arn in alarm_widget["properties"]["alarms"]} == names


def test_tracing_and_powertools_are_set_by_parameters(template: dict) -> None:
    (function,) = resources(template, "AWS::Lambda::Function")
    assert function["TracingConfig"] == {"Mode": {"Ref": "TrackerTracing"}}
    assert template["Parameters"]["TrackerTracing"]["AllowedValues"] == ["Active", "PassThrough"]
    variables = function["Environment"]["Variables"]
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Shopgen/Tracker"
    assert variables["POWERTOOLS_TRACE_DISABLED"] == {"Fn::If": ["TracingActive", "false", "true"]}
    assert "POWERTOOLS_SERVICE_NAME" in variables
    tracing = named(template, "AWS::IAM::Policy")["TrackerTracingPolicy"]["Properties"]
    assert tracing["Roles"] == [{"Ref": "TrackerRole"}]
    assert "xray:PutTraceSegments" in tracing["PolicyDocument"]["Statement"][0]["Action"]


def test_health_route_reaches_the_tracker(template: dict) -> None:
    routes = {r["RouteKey"]: r for r in resources(template, "AWS::ApiGatewayV2::Route")}
    assert routes["GET /api/health"]["Target"] == routes["ANY /api/events"]["Target"]
    arns = [p["SourceArn"]["Fn::Sub"] for p in resources(template, "AWS::Lambda::Permission")]
    assert any(arn.endswith("/api/health") for arn in arns)
