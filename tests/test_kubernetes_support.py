"""A Kubernetes version near the end of its support is a warning, not an error: the catalog says why and what
to upgrade to, the stack program logs it with ``pulumi.log.warn``, and ``aistacks plan``/``gate`` print it on
stderr as ``aistacks: warning: ...`` without changing the exit code. Every date here is injected."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from aistacks import advisories
from aistacks.advisories import config_warnings
from aistacks.catalog.kubernetes_versions import (
    SUPPORT_WARNING_DAYS,
    KubernetesSupport,
    kubernetes_minors,
    kubernetes_support_warning,
)
from aistacks.cli import EXIT_OK, main
from aistacks.spec import PlatformSpec
from aistacks.vocabulary import Cloud

REPO = Path(__file__).resolve().parent.parent


def newest(cloud: Cloud) -> KubernetesSupport:
    """The newest minor the catalog lists: one a plan accepts today, as long as the catalog is kept current."""
    return next(iter(kubernetes_minors(cloud).values()))


def oldest_with_a_newer_one(cloud: Cloud) -> KubernetesSupport:
    minors = list(kubernetes_minors(cloud).values())
    return minors[-1]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_warns_within_90_days_of_the_end_of_standard_support(cloud: Cloud) -> None:
    support = oldest_with_a_newer_one(cloud)
    end = support.end_of_standard_support
    message = kubernetes_support_warning(cloud, support.minor, end - dt.timedelta(days=30))
    assert message is not None
    service = {"aws": "EKS", "gcp": "GKE"}[cloud]
    assert f"{service} standard support for Kubernetes {support.minor} ends on {end.isoformat()} (in 30 days)" in (
        message
    )
    assert "upgrade to" in message
    assert kubernetes_support_warning(cloud, support.minor, end - dt.timedelta(days=SUPPORT_WARNING_DAYS))


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_silent_while_standard_support_lasts_beyond_90_days(cloud: Cloud) -> None:
    for support in kubernetes_minors(cloud).values():
        day = support.end_of_standard_support - dt.timedelta(days=SUPPORT_WARNING_DAYS + 1)
        assert kubernetes_support_warning(cloud, support.minor, day) is None, support.minor


def test_the_advice_is_the_next_minor_that_outlasts_the_warning() -> None:
    minors = list(kubernetes_minors("aws").values())
    old, following = minors[-1], minors[-2]
    day = old.end_of_standard_support - dt.timedelta(days=10)
    assert following.end_of_standard_support > day + dt.timedelta(days=SUPPORT_WARNING_DAYS), "catalog shape"
    message = kubernetes_support_warning("aws", old.minor, day)
    assert message is not None
    assert f'upgrade to "{following.minor}"' in message


def test_eks_extended_support_warns_with_its_cost_and_end() -> None:
    support = oldest_with_a_newer_one("aws")
    assert support.end_of_extended_support is not None
    day = support.end_of_standard_support + dt.timedelta(days=1)
    message = kubernetes_support_warning("aws", support.minor, day)
    assert message is not None
    assert f"ended on {support.end_of_standard_support.isoformat()}" in message
    assert "extra cost" in message and support.end_of_extended_support.isoformat() in message


def test_a_version_past_its_support_or_unknown_is_an_error_elsewhere_not_a_warning() -> None:
    support = oldest_with_a_newer_one("gcp")
    assert kubernetes_support_warning("gcp", support.minor, support.supported_until + dt.timedelta(days=1)) is None
    assert kubernetes_support_warning("aws", "1.2", dt.date(2026, 1, 1)) is None


def spec(version: str, *, clusters: bool = True) -> PlatformSpec:
    aws: dict[str, object] = {"region": "eu-west-1", "kubernetes_version": version}
    if clusters:
        aws["clusters"] = [{"role": "training"}]
    return PlatformSpec.model_validate({"environment": "dev", "jurisdiction": "eu", "aws": aws})


def test_config_warnings_name_the_key_and_the_value() -> None:
    support = newest("aws")
    near = support.end_of_standard_support - dt.timedelta(days=5)
    [warning] = config_warnings(spec(support.minor), near)
    assert warning.path == "aistacks:platform.aws.kubernetes_version"
    assert warning.value == support.minor
    assert str(warning).startswith(f'aistacks:platform.aws.kubernetes_version = "{support.minor}": EKS standard')
    assert config_warnings(spec(support.minor), support.released) == []
    assert config_warnings(spec(support.minor, clusters=False), near) == [], "no cluster runs on it"


def run(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(argv))
    return code, stdout.getvalue(), stderr.getvalue()


def dev_version() -> KubernetesSupport:
    """The EKS minor of the repository's dev stack: one a plan accepts today (the stack tests say so)."""
    found = re.search(r'kubernetes_version: "([0-9.]+)"', (REPO / "stacks" / "Pulumi.dev.yaml").read_text("utf-8"))
    assert found is not None
    return kubernetes_minors("aws")[found.group(1)]


@pytest.mark.parametrize("command", ["plan", "gate"])
def test_the_cli_prints_the_warning_on_stderr_and_keeps_the_exit_code(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    support = dev_version()
    argv = (command, "dev", "--project-dir", str(REPO))
    monkeypatch.setattr(advisories, "current_date", lambda: support.released)
    quiet = run(*argv)
    monkeypatch.setattr(advisories, "current_date", lambda: support.end_of_standard_support - dt.timedelta(days=20))
    warned = run(*argv)
    assert quiet[0] == warned[0] == EXIT_OK, (quiet[2], warned[2])
    assert warned[1] == quiet[1], "stdout carries the plan or report alone"
    assert "warning" not in quiet[2]
    expected = (
        f'aistacks: warning: aistacks:platform.aws.kubernetes_version = "{support.minor}": EKS standard support '
        f"for Kubernetes {support.minor} ends on {support.end_of_standard_support.isoformat()} (in 20 days)"
    )
    assert warned[2].startswith(expected), warned[2]
    assert warned[2].count("aistacks: warning:") == 1


def test_any_warning_a_program_logs_is_shown_and_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: warns\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.test.yaml").write_text("config:\n  aws:region: eu-west-1\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text(
        'import pulumi\nimport pulumi_aws as aws\n\npulumi.log.warn("replicas: 1 is not highly available")\n'
        'aws.s3.Bucket("data")\n',
        encoding="utf-8",
    )
    code, stdout, stderr = run("plan", "test", "--project-dir", str(tmp_path))
    assert code == EXIT_OK
    assert stderr == "aistacks: warning: replicas: 1 is not highly available\n"
    assert "aws:s3/bucket:Bucket" in stdout
