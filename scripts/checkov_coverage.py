"""The README's coverage table against Checkov, generated from ``policies/data/checkov_coverage.json``.

The data file lists Checkov's Terraform resource checks for AWS and GCP about encryption at rest, public
access and transport security (how they were selected is in its header), each with the Pulumi types it
reads and the aistacks rule that covers it, or why none does. This script renders a summary of counts and
one collapsed table per cloud and category between the README's markers.

    venv/bin/python scripts/checkov_coverage.py          # rewrite the generated part of README.md
    venv/bin/python scripts/checkov_coverage.py --check  # exit 1 if README.md is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DATA = REPO / "policies" / "data" / "checkov_coverage.json"
BEGIN = "<!-- checkov-coverage:start -->"
END = "<!-- checkov-coverage:end -->"
COMMAND = "venv/bin/python scripts/checkov_coverage.py"

CLOUDS = {"aws": "AWS", "gcp": "GCP"}
CATEGORIES = {"encryption": "encryption at rest", "public-access": "public access", "transport": "transport"}
VERDICTS = ("covered", "partly", "not covered")


def load(path: Path = DATA) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _cell(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def _counts(checks: Sequence[Mapping[str, Any]]) -> str:
    count = Counter(check["verdict"] for check in checks)
    return " | ".join(str(count[verdict]) for verdict in VERDICTS)


def _verdict(check: Mapping[str, Any]) -> str:
    rules = ", ".join(check["rules"])
    head = f"{check['verdict']} ({rules})" if rules else check["verdict"]
    return f"{head}: {check['note']}" if check["note"] else head


def _id_number(check: Mapping[str, Any]) -> int:
    return int(check["id"].rsplit("_", 1)[1])


def render(data: Mapping[str, Any] | None = None) -> str:
    data = data if data is not None else load()
    checks: list[Mapping[str, Any]] = data["checks"]
    checkov = data["header"]["checkov"]
    total = Counter(check["verdict"] for check in checks)
    lines = [
        f"{len(checks)} checks of Checkov {checkov['version']} (commit `{checkov['commit'][:12]}`, read "
        f"{checkov['read']}): {total['covered']} covered, {total['partly']} partly, {total['not covered']} not "
        f"covered. They are Checkov's Terraform resource checks for AWS and GCP whose names speak of encryption, "
        f"keys, public access or TLS ({len(data['excluded'])} false matches left out); each is mapped to the Pulumi "
        "types it reads and judged against the rules. The selection, the mapping and every verdict's reason are in "
        f"`policies/data/checkov_coverage.json`; this section is generated from it by `{COMMAND}`.",
        "",
        "| Cloud | Category | Checks | Covered | Partly | Not covered |",
        "|---|---|---|---|---|---|",
    ]
    groups = [
        (cloud, category, [c for c in checks if c["cloud"] == cloud and c["category"] == category])
        for cloud in CLOUDS
        for category in CATEGORIES
    ]
    groups = [group for group in groups if group[2]]
    for cloud, category, members in groups:
        lines.append(f"| {CLOUDS[cloud]} | {CATEGORIES[category]} | {len(members)} | {_counts(members)} |")
    for cloud, category, members in groups:
        lines += [
            "",
            "<details>",
            f"<summary>{CLOUDS[cloud]}, {CATEGORIES[category]}: {len(members)} checks</summary>",
            "",
            "| Check | Checkov's name | Pulumi types | Verdict |",
            "|---|---|---|---|",
        ]
        for check in sorted(members, key=_id_number):
            types = "<br>".join(f"`{token}`" for token in check["pulumi"]) or "(none)"
            lines.append(f"| {check['id']} | {_cell(check['name'])} | {types} | {_cell(_verdict(check))} |")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def replace_block(readme: str, block: str) -> str:
    start = readme.index(BEGIN) + len(BEGIN)
    end = readme.index(END, start)
    return readme[:start] + "\n" + block + readme[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the README's coverage table against Checkov.")
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale instead of writing it")
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    wanted = replace_block(readme, render())
    if args.check:
        if wanted != readme:
            print(f"README.md's Checkov coverage is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if wanted != readme:
        README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
