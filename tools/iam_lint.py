"""Lint every IAM policy document a Pulumi program makes with parliament (duo-labs' IAM linter).

Input: a JSON list of ``{"type", "name", "inputs"}`` records (tests/aws-contract/iam.test.ts writes it from
the program run under mocks). Parliament checks each identity policy (role inline policies, managed policies)
and the bucket policy against its database of AWS actions, resource types and condition keys: unknown actions
or conditions, a resource of the wrong type for an action, malformed statements, and risky grants.

Role trust policies are not linted: parliament expects a Resource in every statement, which trust policies
never have (tests/program/program.test.ts asserts the trust policy exactly).

Output (stdout): JSON ``{"documents": [name], "findings": [text], "accepted": [text]}``; exit 0 either way
(the caller asserts), 2 on bad usage.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path
from typing import Any


def _provide_pkg_resources() -> None:
    """parliament 1.6.4 finds its data files with pkg_resources.resource_filename, which setuptools no
    longer ships since version 81 (the lock has 84.2.1): give it that one function, from the package path."""
    if importlib.util.find_spec("pkg_resources") is not None:
        return
    shim = types.ModuleType("pkg_resources")

    def resource_filename(package: str, resource: str) -> str:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(package)
        return str(Path(spec.origin).parent / resource)

    shim.resource_filename = resource_filename  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = shim


_provide_pkg_resources()
from parliament import analyze_policy_string  # noqa: E402

POLICY_DOCUMENTS = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
}

# Findings that are deliberate, each with the reason; keyed by (issue, action).
ACCEPTED = {
    ("CREDENTIALS_EXPOSURE", "ecr:getauthorizationtoken"): (
        "a registry token (SageMaker's pull of the image, a preview's read of it); AWS has no narrower grant"
    ),
}


def finding_actions(finding: Any) -> list[str]:
    location = finding.location if isinstance(finding.location, dict) else {}
    return [str(action).lower() for action in location.get("actions", [])] or [""]


def lint(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    documents, findings, accepted = [], [], []
    for record in records:
        key = POLICY_DOCUMENTS.get(record["type"])
        if key is None:
            continue
        documents.append(record["name"])
        policy = analyze_policy_string(record["inputs"][key], include_community_auditors=True)
        for finding in policy.findings:
            actions = finding_actions(finding)
            reasons = [ACCEPTED.get((finding.issue, action)) for action in actions]
            named = ", ".join(a for a in actions if a)
            text = f"{record['name']}: {finding.issue} {finding.detail or ''} {named}"
            if all(reasons):
                accepted.append(f"{text.strip()} ({reasons[0]})")
            else:
                findings.append(text.strip())
    return {"documents": documents, "findings": findings, "accepted": accepted}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: iam_lint.py <resources.json>", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        print(json.dumps(lint(json.load(f)), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
