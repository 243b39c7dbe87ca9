"""Checks Model environments against the server's own settings parser (the owner of every WHISPER_* setting).

Input (a JSON file named on the command line):
  {"environments": {"<title>": {"NAME": "value", ...}, ...},
   "bounds": {"<stack key>": {"setting": "WHISPER_X", "min": 1, "max": 9}, ...}}
Output (stdout, JSON): a list of findings, empty when all agree:
  {"where": "<title>" | "bounds", "problem": "..."}
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from pydantic import ValidationError
from whisper_server.settings import ENV_NAMES, Settings, configuration_errors, unknown_variables


def environment_findings(title: str, environment: dict[str, str]) -> list[dict[str, str]]:
    """What the server would refuse (it stops at start) or ignore (a name that is no setting)."""
    findings = [
        {"where": title, "problem": f"{name} is no server setting (the server would ignore it)"}
        for name in unknown_variables(environment)
    ]
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        Settings()
    except ValidationError as e:
        findings += [{"where": title, "problem": line} for line in configuration_errors(e)]
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return findings


def bound_findings(bounds: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """Stack-side bounds that differ from the bounds of the server's field for the same setting."""
    fields_by_env = {env: field for field, env in ENV_NAMES.items()}
    schema = Settings.model_json_schema()["properties"]
    findings = []
    for key, bound in bounds.items():
        field = fields_by_env.get(bound["setting"])
        if field is None:
            findings.append({"where": "bounds", "problem": f"{key}: {bound['setting']} is no server setting"})
            continue
        ranges = [schema[field], *schema[field].get("anyOf", [])]
        server_min = next((r["minimum"] for r in ranges if "minimum" in r), None)
        server_max = next((r["maximum"] for r in ranges if "maximum" in r), None)
        if (bound["min"], bound["max"]) != (server_min, server_max):
            findings.append(
                {
                    "where": "bounds",
                    "problem": f"{key}: the stack allows {bound['min']}-{bound['max']}, "
                    f"{bound['setting']} allows {server_min}-{server_max}",
                }
            )
    return findings


def main(path: str) -> int:
    with open(path, encoding="utf-8") as file:
        payload = json.load(file)
    findings = []
    for title, environment in payload["environments"].items():
        findings += environment_findings(title, environment)
    findings += bound_findings(payload["bounds"])
    json.dump(findings, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
