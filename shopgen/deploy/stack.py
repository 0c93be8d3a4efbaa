"""The CloudFormation side of `shopgen deploy`: one change set, shown before it runs.

A stack is never created or updated directly: a change set is made, its changes are listed,
and only then (after the user agreed) executed, like `aws cloudformation deploy` without
`--no-execute-changeset`, but with the changes shown and events streamed while it runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from botocore.exceptions import ClientError

from shopgen.errors import ShopgenError

Echo = Callable[[str], None]
DONE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
FAILED_RUN = {"CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE",
              "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED", "DELETE_COMPLETE", "DELETE_FAILED"}
# A stack in these states cannot take a change set: what to do instead.
BLOCKED = {
    "ROLLBACK_COMPLETE": "its creation failed and was rolled back; delete it "
                         "(aws cloudformation delete-stack --stack-name {name}) and deploy again",
    "ROLLBACK_FAILED": "its creation failed and so did the rollback; delete it in the "
                       "CloudFormation console and deploy again",
    "UPDATE_ROLLBACK_FAILED": "an update failed and so did its rollback; continue the "
                              "rollback (aws cloudformation continue-update-rollback "
                              "--stack-name {name}) and deploy again",
    "DELETE_FAILED": "it could not be deleted; delete it in the CloudFormation console",
}
CAPABILITIES = ["CAPABILITY_IAM"]


class DeployError(ShopgenError):
    """Deploying failed or cannot start; the message says what to do."""


@dataclass(frozen=True)
class StackState:
    """The stack as it is before the deploy (exists=False: it will be created)."""

    name: str
    exists: bool
    status: str | None = None
    parameters: frozenset[str] = frozenset()
    outputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One resource the change set adds, modifies or removes."""

    action: str
    logical_id: str
    resource_type: str
    replacement: str = ""

    def line(self) -> str:
        """How the change is shown to the user."""
        replaced = " (replaced)" if self.replacement == "True" else ""
        return f"  {self.action:<7} {self.logical_id} ({self.resource_type}){replaced}"


@dataclass(frozen=True)
class ChangeSet:
    """A change set ready to execute (`changes` empty: the stack is up to date)."""

    id: str
    stack: str
    creates_stack: bool
    changes: tuple[Change, ...]


def read_stack(cloudformation: Any, name: str) -> StackState:
    """The stack's status, parameter names and outputs; exists=False when there is none (a
    stack left in REVIEW_IN_PROGRESS by an unexecuted change set counts as none)."""
    try:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return StackState(name, exists=False)
        raise
    status = stack["StackStatus"]
    if status == "REVIEW_IN_PROGRESS":
        return StackState(name, exists=False, status=status)
    return StackState(
        name, True, status,
        frozenset(p["ParameterKey"] for p in stack.get("Parameters", [])),
        {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
    )


def check_deployable(state: StackState) -> None:
    """Raise DeployError when the stack is in a state that takes no change set."""
    if not state.exists:
        return
    status = state.status or ""
    if status in BLOCKED:
        advice = BLOCKED[status].format(name=state.name)
        raise DeployError(f"stack {state.name} is in {status}: {advice}")
    if status.endswith("_IN_PROGRESS"):
        raise DeployError(f"stack {state.name} is busy ({status}): wait until it finishes "
                          "and deploy again")


class _TemplateLoader(yaml.SafeLoader):
    """Reads a CloudFormation template, short-form tags (!Ref, !Sub…) as plain values."""


_TemplateLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def template_parameters(template_body: str) -> set[str]:
    """The names of the template's parameters."""
    return set((yaml.load(template_body, Loader=_TemplateLoader) or {}).get("Parameters") or {})


def stack_parameters(template_body: str, given: Mapping[str, str],
                     state: StackState) -> list[dict[str, Any]]:
    """The change set's parameters: those given, and on an update the previous value of every
    other parameter the stack and the template share."""
    known = template_parameters(template_body)
    unknown = sorted(set(given) - known)
    if unknown:
        raise DeployError(f"the template has no parameter {', '.join(unknown)} "
                          f"(it has {', '.join(sorted(known))})")
    listed = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(given.items())]
    previous = sorted((state.parameters & known) - set(given)) if state.exists else []
    return listed + [{"ParameterKey": k, "UsePreviousValue": True} for k in previous]


def create_change_set(cloudformation: Any, state: StackState, template_body: str,
                      parameters: list[dict[str, Any]], *, poll_seconds: float,
                      sleep: Callable[[float], None] = time.sleep) -> ChangeSet:
    """Create the change set and wait until CloudFormation has computed it."""
    kind = "UPDATE" if state.exists else "CREATE"
    try:
        created = cloudformation.create_change_set(
            StackName=state.name, ChangeSetName=f"shopgen-{int(time.time())}",
            ChangeSetType=kind, TemplateBody=template_body, Parameters=parameters,
            Capabilities=CAPABILITIES, Description="shopgen deploy")
    except ClientError as error:
        # AWS says "nothing to change" in the change set's status; some endpoints refuse it.
        if "No updates are to be performed" in str(error):
            return ChangeSet("", state.name, False, ())
        raise
    change_set_id = created["Id"]
    while True:
        described = cloudformation.describe_change_set(ChangeSetName=change_set_id,
                                                       StackName=state.name)
        status = described["Status"]
        if status == "CREATE_COMPLETE":
            break
        if status == "FAILED":
            reason = described.get("StatusReason", "")
            if "didn't contain changes" in reason or "No updates" in reason:
                cloudformation.delete_change_set(ChangeSetName=change_set_id,
                                                 StackName=state.name)
                return ChangeSet(change_set_id, state.name, kind == "CREATE", ())
            raise DeployError(f"CloudFormation refused the change set: {reason}")
        sleep(poll_seconds)
    changes = tuple(_changes(cloudformation, change_set_id, state.name, described))
    return ChangeSet(change_set_id, state.name, kind == "CREATE", changes)


def _changes(cloudformation: Any, change_set_id: str, stack: str, page: dict):
    while True:
        for item in page.get("Changes", []):
            change = item.get("ResourceChange", {})
            yield Change(change.get("Action", "?"), change.get("LogicalResourceId", "?"),
                         change.get("ResourceType", "?"), str(change.get("Replacement", "")))
        token = page.get("NextToken")
        if not token:
            return
        page = cloudformation.describe_change_set(ChangeSetName=change_set_id,
                                                  StackName=stack, NextToken=token)


def discard_change_set(cloudformation: Any, change_set: ChangeSet) -> None:
    """Delete an unexecuted change set (and the empty stack a CREATE change set made)."""
    cloudformation.delete_change_set(ChangeSetName=change_set.id, StackName=change_set.stack)
    if change_set.creates_stack:
        cloudformation.delete_stack(StackName=change_set.stack)


def execute_and_wait(cloudformation: Any, change_set: ChangeSet, *, echo: Echo,
                     poll_seconds: float,
                     sleep: Callable[[float], None] = time.sleep) -> dict[str, str]:
    """Execute the change set, print each stack event as it happens, and return the stack's
    outputs once it is complete; DeployError with the first failure's reason otherwise."""
    seen = {_event_key(e) for e in _events(cloudformation, change_set.stack)}
    cloudformation.execute_change_set(ChangeSetName=change_set.id,
                                      StackName=change_set.stack)
    started = time.monotonic()
    failures: list[str] = []
    while True:
        for event in reversed(_events(cloudformation, change_set.stack)):
            if _event_key(event) in seen:
                continue
            seen.add(_event_key(event))
            status, reason = event.get("ResourceStatus", ""), event.get("ResourceStatusReason")
            echo(f"  {time.monotonic() - started:5.0f}s  {status:<22} "
                 f"{event.get('LogicalResourceId', '')}" + (f": {reason}" if reason else ""))
            if status.endswith("_FAILED") and reason:
                failures.append(f"{event.get('LogicalResourceId')}: {reason}")
        state = read_stack(cloudformation, change_set.stack)
        if state.status in DONE:
            return dict(state.outputs)
        if state.status in FAILED_RUN:
            first = failures[0] if failures else "see the stack's events"
            raise DeployError(f"stack {change_set.stack} ended in {state.status} "
                              f"(first failure: {first})")
        sleep(poll_seconds)


def _events(cloudformation: Any, stack: str) -> list[dict[str, Any]]:
    """The stack's most recent events, newest first (one page is enough to follow a deploy)."""
    return cloudformation.describe_stack_events(StackName=stack).get("StackEvents", [])


def _event_key(event: Mapping[str, Any]) -> object:
    return event.get("EventId") or (event.get("LogicalResourceId"), event.get("ResourceStatus"),
                                    str(event.get("Timestamp")))
