"""The exit-code contract of `aistacks plan` and `aistacks gate`, the one interface a CI system sees.

0 passed; 1 mandatory violations found, and only that; 2 a usage, config or input error; 3 the program under
test raised or the tool failed; 141 the reader of stdout closed it early. Never a Python traceback unless
``--debug``, and ``--output`` never replaces an input of the run nor leaves a partial file.

The projects are tiny programs in temporary folders (a run takes well under a second).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from aistacks.cli import EXIT_BROKEN_PIPE, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, main

from .test_cli import offline_env

STACK = "config:\n  aws:region: eu-west-1\n"
BUCKET = 'import pulumi_aws as aws\n\naws.s3.Bucket("data")\n'
UNENCRYPTED = (
    "import pulumi_aws as aws\n\n"
    'aws.ec2.LaunchTemplate("nodes", block_device_mappings=[{"device_name": "/dev/xvda", '
    '"ebs": {"volume_size": 200, "volume_type": "gp3"}}], metadata_options={"http_tokens": "required"})\n'
)
RAISES = (
    "import pulumi_aws as aws\n\n"
    'aws.s3.Bucket("data")\n\n\n'
    "def count_buckets():\n"
    '    raise ValueError("three buckets asked, two allowed")\n\n\n'
    "count_buckets()\n"
)
RAISES_IN_APPLY = (
    "import pulumi_aws as aws\n\n"
    'bucket = aws.s3.Bucket("data")\n\n\n'
    "def policy(arn):\n"
    '    raise KeyError("no statement for " + arn)\n\n\n'
    'aws.s3.BucketPolicy("data", bucket=bucket.id, policy=bucket.arn.apply(policy))\n'
)
MISSING_CONFIG = 'import pulumi\n\npulumi.Config().require("replicas")\n'
RUN_ERROR = 'import pulumi\n\nraise pulumi.RunError("set tier to one of dev, prod")\n'
MANY_BUCKETS = 'import pulumi_aws as aws\n\nfor n in range(800):\n    aws.s3.Bucket(f"bucket-{n}")\n'
ALL_MANDATORY = {"all": "mandatory"}
ALL_ADVISORY = {"all": "advisory"}


def project(folder: Path, program: str | None, stack: str = STACK, name: str = "contract") -> Path:
    """A project in ``folder``: Pulumi.yaml, Pulumi.test.yaml and (unless None) __main__.py."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.test.yaml").write_text(stack, encoding="utf-8")
    if program is not None:
        (folder / "__main__.py").write_text(program, encoding="utf-8")
    return folder


def policy(folder: Path, document: object, name: str = "policy.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run(*argv: str) -> Run:
    """``aistacks ARGV`` in this process, as tests/test_gate_cli.py runs it."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(argv))
    return Run(code, stdout.getvalue(), stderr.getvalue())


def aistacks(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``aistacks ARGS`` as a user runs it: the installed script, in a process of its own."""
    executable = Path(sys.executable).parent / "aistacks"
    return subprocess.run(
        [str(executable), *args], cwd=cwd, env=offline_env(), capture_output=True, text=True, timeout=120, check=False
    )


def plan(folder: Path, *extra: str) -> Run:
    return run("plan", "test", "--project-dir", str(folder), *extra)


def gate(folder: Path, config: Path, *extra: str) -> Run:
    return run("gate", "test", "--project-dir", str(folder), "--policy-config", str(config), *extra)


def assert_one_message(result: Run | subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("aistacks: "), result.stderr


# --- 0 and 1 -------------------------------------------------------------------------------------


def test_the_codes_are_the_documented_numbers() -> None:
    assert (EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_FAILURE, EXIT_BROKEN_PIPE) == (0, 1, 2, 3, 141)


def test_a_plan_that_runs_and_a_gate_that_passes_exit_0(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", BUCKET)
    assert plan(folder).code == EXIT_OK
    result = gate(folder, policy(tmp_path, ALL_ADVISORY))
    assert result.code == EXIT_OK, result.stderr
    assert "PASSED" in result.stdout


def test_mandatory_violations_and_only_they_exit_1(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", UNENCRYPTED)
    failing = gate(folder, policy(tmp_path, ALL_MANDATORY), "--format", "json")
    assert failing.code == EXIT_VIOLATIONS, failing.stderr
    assert json.loads(failing.stdout)["findings"]
    assert failing.stderr.strip().endswith("FAILED")
    # The same findings, advisory: the gate passes.
    assert gate(folder, policy(tmp_path, ALL_ADVISORY, "advisory.json")).code == EXIT_OK


# --- 2: the user's input --------------------------------------------------------------------------


def test_a_project_without_its_program_exits_2_naming_what_is_missing(tmp_path: Path) -> None:
    # The program is part of what the user hands the tool, like the stack file: a missing one is their
    # input to fix (an error of the project's layout), not a program that failed.
    folder = project(tmp_path / "p", None)
    for result in (plan(folder), gate(folder, policy(tmp_path, ALL_ADVISORY))):
        assert result.code == EXIT_USAGE
        assert_one_message(result)
        assert str(folder / "__main__.py") in result.stderr and "Pulumi.yaml" in result.stderr
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("program", "said"),
    [
        pytest.param(MISSING_CONFIG, "contract:replicas", id="pulumi-config-missing"),
        pytest.param(RUN_ERROR, "set tier to one of dev, prod", id="run-error"),
    ],
)
def test_config_errors_the_program_raises_exit_2_naming_the_stack_file(tmp_path: Path, program: str, said: str) -> None:
    folder = project(tmp_path / "p", program)
    result = plan(folder)
    assert result.code == EXIT_USAGE
    assert_one_message(result)
    assert said in result.stderr
    assert str(folder / "Pulumi.test.yaml") in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", BUCKET)
    unknown = run("plan", "qa", "--project-dir", str(folder))
    assert unknown.code == EXIT_USAGE
    assert_one_message(unknown)
    missing = gate(folder, tmp_path / "absent.json")
    assert missing.code == EXIT_USAGE
    assert_one_message(missing)
    with pytest.raises(SystemExit) as raised, contextlib.redirect_stderr(io.StringIO()):
        main(["plan", "--no-such-option"])
    assert raised.value.code == EXIT_USAGE


# --- 3: the program under test or the tool failed ------------------------------------------------


@pytest.mark.parametrize("command", ["plan", "gate"])
def test_a_program_that_raises_exits_3_with_its_exception_and_file(tmp_path: Path, command: str) -> None:
    folder = project(tmp_path / "p", RAISES)
    result = plan(folder) if command == "plan" else gate(folder, policy(tmp_path, ALL_ADVISORY))
    assert result.code == EXIT_FAILURE
    assert_one_message(result)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    program = folder / "__main__.py"
    assert f"{program}: the program failed: ValueError: three buckets asked, two allowed" in result.stderr
    assert f"{program}:7" in result.stderr, "the line that raised"
    assert "--debug" in result.stderr
    assert result.stdout == ""


def test_a_program_that_raises_in_an_apply_exits_3(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", RAISES_IN_APPLY)
    result = plan(folder)
    assert result.code == EXIT_FAILURE
    assert_one_message(result)
    assert "KeyError" in result.stderr and "no statement for arn:aws:s3:::data-" in result.stderr
    # Where: the program's line when the traceback reaches it (the SDK may hand the exception on without).
    assert "site-packages" not in result.stderr and "engine/run.py" not in result.stderr


def test_a_program_that_raises_exits_3_in_a_process_of_its_own(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", RAISES)
    result = aistacks("plan", "test", cwd=folder)
    assert result.returncode == EXIT_FAILURE
    assert_one_message(result)
    assert "ValueError: three buckets asked, two allowed" in result.stderr


def test_debug_prints_the_traceback_too(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", RAISES)
    result = plan(folder, "--debug")
    assert result.code == EXIT_FAILURE
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert 'raise ValueError("three buckets asked, two allowed")' in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("aistacks: ")
    config_error = plan(project(tmp_path / "q", MISSING_CONFIG), "--debug")
    assert config_error.code == EXIT_USAGE
    assert "Traceback" in config_error.stderr


def test_a_failure_of_the_tool_itself_exits_3_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aistacks.gate import report

    def broken(*_: object) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(report, "render_json", broken)
    folder = project(tmp_path / "p", BUCKET)
    result = gate(folder, policy(tmp_path, ALL_ADVISORY), "--format", "json")
    assert result.code == EXIT_FAILURE
    assert_one_message(result)
    assert "internal error: RuntimeError: renderer broke" in result.stderr


# --- --output --------------------------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_an_unwritable_output_after_a_passing_gate_exits_3_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project(tmp_path / "p", BUCKET)
    config = policy(tmp_path, ALL_ADVISORY)
    reports = tmp_path / "reports"
    reports.mkdir()

    def disk_full(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = gate(folder, config, "--output", str(reports / "gate.json"), "--format", "json")
    assert result.code == EXIT_FAILURE
    assert_one_message(result)
    assert "No space left on device" in result.stderr and "passed" in result.stderr
    assert list(reports.iterdir()) == [], "neither the report nor a temporary file"


def test_an_output_in_a_read_only_folder_exits_3_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project(tmp_path / "p", BUCKET)
    config = policy(tmp_path, ALL_ADVISORY)
    reports = tmp_path / "reports"
    reports.mkdir()
    reports.chmod(0o555)
    try:
        if os.access(reports, os.W_OK):  # root: the mode stops nobody, so answer as the kernel answers others
            original = tempfile.mkstemp

            def refused(*args: Any, **kwargs: Any) -> tuple[int, str]:
                if Path(kwargs.get("dir", "")) == reports:
                    raise PermissionError(13, "Permission denied", str(reports))
                return original(*args, **kwargs)

            monkeypatch.setattr(tempfile, "mkstemp", refused)
        result = gate(folder, config, "--output", str(reports / "gate.sarif"), "--format", "sarif")
        assert result.code == EXIT_FAILURE
        assert_one_message(result)
        assert "Permission denied" in result.stderr
        assert list(reports.iterdir()) == []
    finally:
        reports.chmod(0o755)


def test_an_output_where_no_file_can_be_made_exits_3(tmp_path: Path) -> None:
    # sysfs takes no new files, even from root: the case above for a user the permissions do not stop.
    if not Path("/sys/kernel").is_dir():
        pytest.skip("no sysfs here")
    folder = project(tmp_path / "p", BUCKET)
    result = gate(folder, policy(tmp_path, ALL_ADVISORY), "--output", "/sys/kernel/aistacks-gate.json")
    assert result.code == EXIT_FAILURE
    assert_one_message(result)
    assert "cannot write the report" in result.stderr and "nothing was written" in result.stderr
    assert not Path("/sys/kernel/aistacks-gate.json").exists()


def test_output_replaces_an_old_report_whole(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", BUCKET)
    output = tmp_path / "gate.json"
    output.write_text("an old report, much longer than any new one " * 1000, encoding="utf-8")
    output.chmod(0o640)
    result = gate(folder, policy(tmp_path, ALL_ADVISORY), "--format", "json", "--output", str(output))
    assert result.code == EXIT_OK, result.stderr
    assert json.loads(output.read_text(encoding="utf-8"))["passed"] is True
    assert output.stat().st_mode & 0o777 == 0o640, "the report keeps its permissions"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("target", ["stack", "policy", "Pulumi.yaml", "__main__.py", "module", "other-stack"])
def test_output_onto_an_input_of_the_run_exits_2_and_changes_nothing(tmp_path: Path, target: str) -> None:
    folder = project(tmp_path / "p", BUCKET)
    (folder / "helpers.py").write_text("BUCKETS = 1\n", encoding="utf-8")
    (folder / "Pulumi.prod.yaml").write_text(STACK, encoding="utf-8")
    config = policy(tmp_path, ALL_ADVISORY)
    path = {
        "stack": folder / "Pulumi.test.yaml",
        "policy": config,
        "Pulumi.yaml": folder / "Pulumi.yaml",
        "__main__.py": folder / "__main__.py",
        "module": folder / "helpers.py",
        "other-stack": folder / "Pulumi.prod.yaml",
    }[target]
    before = path.read_bytes()
    result = gate(folder, config, "--output", str(path))
    assert result.code == EXIT_USAGE
    assert_one_message(result)
    assert "would be overwritten" in result.stderr
    assert path.read_bytes() == before
    assert leftovers(folder) == [] and leftovers(tmp_path) == []


def test_output_onto_an_input_by_another_path_exits_2(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", BUCKET)
    config = policy(tmp_path, ALL_ADVISORY)
    link = tmp_path / "report.json"
    link.symlink_to(config)
    before = config.read_bytes()
    relative = gate(folder, config, "--output", str(folder / ".." / "policy.json"))
    through_link = gate(folder, config, "--output", str(link))
    assert relative.code == through_link.code == EXIT_USAGE
    assert config.read_bytes() == before


@pytest.mark.parametrize("where", ["directory", "missing-folder"])
def test_output_that_cannot_be_a_file_exits_2_before_running(tmp_path: Path, where: str) -> None:
    folder = project(tmp_path / "p", RAISES)  # not run: the output is refused first
    output = tmp_path if where == "directory" else tmp_path / "absent" / "gate.json"
    result = gate(folder, policy(tmp_path, ALL_ADVISORY), "--output", str(output))
    assert result.code == EXIT_USAGE
    assert_one_message(result)
    assert ("is a directory" if where == "directory" else "does not exist") in result.stderr
    assert not (tmp_path / "absent").exists()


# --- --version and a closed pipe ------------------------------------------------------------------


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    result = aistacks("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"aistacks {metadata.version('aistacks')}"


def test_a_reader_that_closes_early_stops_the_plan_quietly_with_141(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", MANY_BUCKETS)
    executable = Path(sys.executable).parent / "aistacks"
    process = subprocess.Popen(
        [str(executable), "plan", "test", "--json"],
        cwd=folder,
        env=offline_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10), "the plan started writing"
    process.stdout.close()  # as `| head -c 10` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == EXIT_BROKEN_PIPE
    assert stderr == "", stderr
    whole = aistacks("plan", "test", "--json", cwd=folder)
    assert whole.returncode == EXIT_OK
    assert len(whole.stdout) > 4 * 65536, "more than a pipe holds (64 KiB on Linux): the writer meets the closed pipe"


DUPLICATE_NAMES = (
    'import pulumi_aws as aws\n\nfor namespace in ("serving", "kube-system"):\n'
    '    aws.s3.Bucket("agent-role", tags={"namespace": namespace})\n'
)


def test_two_resources_with_one_urn_fail_the_run_as_the_engine_would(tmp_path: Path) -> None:
    # The Pulumi engine refuses an update that registers one URN twice ("Duplicate resource URN"); so does
    # the offline engine, or such a program would plan and pass the gate here and fail at `pulumi up`.
    result = plan(project(tmp_path / "p", DUPLICATE_NAMES))
    assert result.code == EXIT_FAILURE
    assert "duplicate resource URN urn:pulumi:test::contract::aws:s3/bucket:Bucket::agent-role" in result.stderr
