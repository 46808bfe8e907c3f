"""Every fenced code block of README.md is run, or checked, here: an example cannot rot.

How a block is tested is its *kind*, given by an HTML comment on the line before its fence (GitHub does not
show it)::

    <!-- readme-test: KIND [key=value | flag] ... -->

Without one, ``bash``/``sh``/``console`` blocks are ``commands`` and ``json`` blocks ``policy-config``. Any
other block without a comment, a comment of an unknown kind, a comment with no block after it, or a command
this test does not know fails the test: a new README block cannot go untested.

Blocks with ``project=P`` build a scratch project, a folder ``P`` in a temporary workspace, in README order,
before any block is tested; a project whose blocks give no ``Pulumi.yaml`` gets ``name: readme-P``.

* ``project-file project=P``: a ``Pulumi.yaml``, valid against Pulumi's project schema, written as P's.
* ``program project=P [stack-from=PATH]``: Python written as ``P/__main__.py`` (``PATH``, a stack file of the
  repository, copied beside it); every stack of P is planned by the offline engine and must exit 0.
* ``stack-file project=P stack=S [same-as=PATH]``: written as ``P/Pulumi.S.yaml`` and planned (exit 0);
  ``same-as``: the block is that file of the repository, word for word.
* ``platform-config into=PATH``: YAML keys of ``aistacks:platform`` that, put into the stack file PATH of the
  repository (replacing its keys of the same names), parse and plan.
* ``policy-config [project=P path=REL] [fragment]``: JSON that ``aistacks.gate.resolve_policy_config``
  accepts (``fragment``: members of one, without the braces); with ``project``, written to ``P/REL``.
* ``commands [project=P] [exit=N]``: each command runs, or is checked, with the working directory at the
  repository (at the workspace with ``project``; ``cd DIR`` moves it for the rest of the block).
  ``aistacks ...`` and ``venv/bin/aistacks ...`` run through ``aistacks.cli.main`` and must exit N (0); an
  ``--output`` inside the repository is written to a temporary folder instead, and must then exist.
  Commands that cannot run here are in :data:`NOT_RUN`, each with the reason and checked offline as far as
  it goes (:func:`_check_not_run`).
* ``output [project=P cwd=DIR] command="aistacks ..."``: an abridged excerpt of what the command prints, run as
  a ``commands`` block runs it (at the repository without ``project``): its lines appear in the real output in
  this order; a line ``…`` (any indentation) stands for lines left out. Compared after stripping trailing
  spaces, nothing else: the output is deterministic.
* ``usage``: each ``aistacks COMMAND ...`` synopsis names only options ``aistacks COMMAND --help`` lists.
* ``excerpt of=PATH``: Python lines that stand, in this order, in the program PATH; PATH's project is planned
  with each of its stacks (exit 0).
* ``workflow``: a GitHub Actions workflow; each ``run:`` step, ``${{ matrix.* }}`` expanded over the job's
  matrix, is a ``commands`` block at the repository; each ``uses:`` is pinned to a major version.
* ``modules``: every ``aistacks.X`` (and ``, .Y`` after it) at a line's start is an importable module.
* ``paths``: the first word of every unindented line is a path of the repository.

The offline engine's runs are cached per (working directory, arguments) for the module, so a command shown
twice runs once.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import json
import os
import re
import shlex
import shutil
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
import yaml

from aistacks.cli import main
from aistacks.engine import load_project

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PROJECT_SCHEMA = REPO / "tests" / "data" / "pulumi-project.schema.json"
MARKER = re.compile(r"^<!--\s*readme-test:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)```(.*)$")
ELLIPSIS = "…"
SHELL_INFOS = ("bash", "sh", "console", "shell")
AISTACKS = ("aistacks", "venv/bin/aistacks")

NOT_RUN: dict[str, str] = {
    "scripts/setup": "creates ./venv and installs from the package index: network, about a minute; checked: "
    "the script exists and is executable",
    "scripts/test": "runs the whole suite, this test with it; checked: the script exists and is executable",
    "pip": "installs into an environment from a path or the package index; checked: pyproject.toml declares the "
    "distribution `aistacks` with the `aistacks` command",
    "pulumi": "needs the Pulumi CLI, a backend and cloud credentials; checked: the stack it names has a stack "
    "file, a --policy-pack folder holds PulumiPolicy.yaml, a --policy-pack-config is a valid policy config",
    "venv/bin/python": "the benchmark takes about two minutes; checked: the script it runs exists",
    "curl": "downloads the Pulumi CLI installer (network), or calls a model server inside a cluster; checked: "
    "nothing beyond the command's shape",
    "sh": "runs that installer",
    "echo": "appends the Pulumi CLI's folder to GitHub Actions' PATH file, which exists only on a runner",
}
"""Commands the README shows that cannot run here, by first word, and why; each is checked offline as far as
that goes."""
PULUMI_COMMANDS = {"login", "stack", "preview", "up"}


@dataclass(frozen=True)
class Block:
    line: int
    """The line of the opening fence, 1-based."""
    info: str
    text: str
    kind: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"line{self.line}-{self.kind}"


class ReadmeError(Exception):
    """The README's blocks or markers cannot be tested as they stand."""


def parse_blocks(text: str) -> list[Block]:
    """Every fenced block of ``text`` with its kind; :class:`ReadmeError` on a marker with no block after it."""
    lines = text.splitlines()
    blocks: list[Block] = []
    marker: tuple[int, str] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        found = MARKER.match(line)
        opening = FENCE.match(line)
        if found:
            if marker is not None:
                raise ReadmeError(f"README.md:{marker[0]}: a readme-test marker with no code block after it")
            marker = (index + 1, found.group(1))
        elif opening:
            indent, info = opening.group(1), opening.group(2).strip()
            body: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != "```":
                body.append(lines[index].removeprefix(indent))
                index += 1
            opened = index - len(body)
            if index == len(lines):
                raise ReadmeError(f"README.md:{opened}: a code block is never closed")
            kind, options = _kind(info, marker[1] if marker else None)
            blocks.append(Block(opened, info, "\n".join(body) + "\n", kind, options))
            marker = None
        elif line.strip() and marker is not None:
            raise ReadmeError(f"README.md:{marker[0]}: a readme-test marker with no code block after it")
        index += 1
    if marker is not None:
        raise ReadmeError(f"README.md:{marker[0]}: a readme-test marker with no code block after it")
    return blocks


def _kind(info: str, marker: str | None) -> tuple[str, dict[str, str]]:
    if marker is None:
        if info in SHELL_INFOS:
            return "commands", {}
        if info == "json":
            return "policy-config", {}
        return f"unmarked {info or 'plain'} block", {}
    kind, *words = shlex.split(marker)
    options: dict[str, str] = {}
    for word in words:
        key, _, value = word.partition("=")
        options[key] = value
    return kind, options


BLOCKS = parse_blocks(README.read_text(encoding="utf-8"))


class Runner:
    """The offline engine's runs for the module: ``aistacks`` commands through ``aistacks.cli.main``, cached."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.cache: dict[tuple[Path, tuple[str, ...]], tuple[int, str, str]] = {}

    def aistacks(self, cwd: Path, args: list[str]) -> tuple[int, str, str]:
        args = self._redirect_output(cwd, args)
        key = (cwd.resolve(), tuple(args))
        if key not in self.cache:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(args)
            self.cache[key] = (code, out.getvalue(), err.getvalue())
        return self.cache[key]

    def _redirect_output(self, cwd: Path, args: list[str]) -> list[str]:
        """``--output F`` inside the repository becomes a file of the scratch folder: the suite writes nothing
        into the clone."""
        if "--output" not in args:
            return args
        at = args.index("--output") + 1
        target = (cwd / args[at]).resolve()
        if target.is_relative_to(REPO):
            return [*args[:at], str(self.scratch / target.name), *args[at + 1 :]]
        return args

    def output_of(self, cwd: Path, args: list[str]) -> Path | None:
        args = self._redirect_output(cwd, args)
        return (cwd / args[args.index("--output") + 1]).resolve() if "--output" in args else None


@dataclass
class Readme:
    workspace: Path
    runner: Runner


@pytest.fixture(scope="module")
def readme(tmp_path_factory: pytest.TempPathFactory) -> Readme:
    """The scratch projects the blocks build, in README order, and the module's runner."""
    workspace = tmp_path_factory.mktemp("readme")
    for block in BLOCKS:
        name = block.options.get("project")
        if name is None:
            continue
        folder = workspace / name
        folder.mkdir(exist_ok=True)
        if block.kind == "project-file":
            (folder / "Pulumi.yaml").write_text(block.text, encoding="utf-8")
        elif block.kind == "program":
            (folder / "__main__.py").write_text(block.text, encoding="utf-8")
            if "stack-from" in block.options:
                source = REPO / block.options["stack-from"]
                shutil.copyfile(source, folder / source.name)
        elif block.kind == "stack-file":
            (folder / f"Pulumi.{block.options['stack']}.yaml").write_text(block.text, encoding="utf-8")
        elif block.kind == "policy-config" and "path" in block.options:
            path = folder / block.options["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text, encoding="utf-8")
    for folder in workspace.iterdir():
        if not (folder / "Pulumi.yaml").exists():
            (folder / "Pulumi.yaml").write_text(f"name: readme-{folder.name}\nruntime: python\n", encoding="utf-8")
    return Readme(workspace, Runner(tmp_path_factory.mktemp("readme-output")))


def _project_folder(block: Block, readme: Readme) -> Path:
    return readme.workspace / block.options["project"]


def _plan_every_stack(folder: Path, readme: Readme) -> None:
    project = load_project(folder)
    stacks = project.stacks()
    assert stacks, f"{folder}: no stack to plan"
    for stack in stacks:
        code, _, err = readme.runner.aistacks(folder, ["plan", stack])
        assert code == 0, f"aistacks plan {stack} in {folder}: exit {code}\n{err}"


# Kinds


def check_project_file(block: Block, readme: Readme) -> None:
    document = yaml.safe_load(block.text)
    jsonschema.validate(document, json.loads(PROJECT_SCHEMA.read_text(encoding="utf-8")))
    load_project(_project_folder(block, readme))


def check_program(block: Block, readme: Readme) -> None:
    compile(block.text, f"README.md:{block.line}", "exec")
    _plan_every_stack(_project_folder(block, readme), readme)


def check_stack_file(block: Block, readme: Readme) -> None:
    if "same-as" in block.options:
        original = (REPO / block.options["same-as"]).read_text(encoding="utf-8")
        assert block.text == original, f"the README's copy of {block.options['same-as']} differs from the file"
    folder = _project_folder(block, readme)
    code, _, err = readme.runner.aistacks(folder, ["plan", block.options["stack"]])
    assert code == 0, err


def check_platform_config(block: Block, readme: Readme) -> None:
    from aistacks.config import parse_platform_spec
    from aistacks.plan import plan_platform

    path = REPO / block.options["into"]
    base = yaml.safe_load(path.read_text(encoding="utf-8"))["config"]["aistacks:platform"]
    fragment = yaml.safe_load(block.text)
    assert isinstance(fragment, dict), f"README.md:{block.line}: not a mapping of aistacks:platform keys"
    plan_platform(parse_platform_spec({**base, **fragment}, stack=path.name.split(".")[1]))


def check_policy_config(block: Block, readme: Readme) -> None:
    from aistacks.gate import load_policy_config
    from aistacks.gate.config import resolve_policy_config
    from aistacks.policies import POLICIES

    text = "{" + block.text + "}" if "fragment" in block.options else block.text
    document = json.loads(text)
    assert isinstance(document, dict)
    resolve_policy_config(document, POLICIES, f"README.md:{block.line}")
    if "path" in block.options:
        load_policy_config(_project_folder(block, readme) / block.options["path"], POLICIES)


def check_commands(block: Block, readme: Readme) -> None:
    cwd = readme.workspace if "project" in block.options else REPO
    expected = int(block.options.get("exit", "0"))
    run_commands(block.text, cwd, expected, readme)


def check_output(block: Block, readme: Readme) -> None:
    cwd = readme.workspace / block.options.get("cwd", ".") if "project" in block.options else REPO
    words = shlex.split(block.options["command"])
    assert words[0] in AISTACKS, f"output of {words[0]!r}: only aistacks commands are run here"
    code, out, err = readme.runner.aistacks(cwd, words[1:])
    assert code == 0, err
    missing = excerpt_mismatch(block.text, out)
    assert missing is None, f"README.md:{block.line}: not in the output of {block.options['command']}: {missing!r}"


def excerpt_mismatch(excerpt: str, output: str) -> str | None:
    """The first line of ``excerpt`` (``…`` lines aside) not found in ``output`` after the previous one's match,
    or ``None`` when they all are: each line in order; a line is left out only where ``…`` stands."""
    actual = [line.rstrip() for line in output.splitlines()]
    position = 0
    skipping = False
    for line in (line.rstrip() for line in excerpt.splitlines()):
        if line.strip() == ELLIPSIS:
            skipping = True
            continue
        if skipping:
            try:
                position = actual.index(line, position) + 1
            except ValueError:
                return line
        else:
            if position >= len(actual) or actual[position] != line:
                return line
            position += 1
        skipping = False
    return None if skipping or position == len(actual) else f"(the output goes on: {actual[position]!r})"


def check_usage(block: Block, readme: Readme) -> None:
    for line in block.text.splitlines():
        words = line.split()
        assert words[:1] == ["aistacks"] and len(words) > 1, f"not an aistacks synopsis: {line!r}"
        help_text = io.StringIO()
        with contextlib.redirect_stdout(help_text), pytest.raises(SystemExit):
            main([words[1], "--help"])
        for option in re.findall(r"--[a-z][a-z-]*", line):
            assert re.search(rf"{option}\b", help_text.getvalue()), f"`aistacks {words[1]}` has no {option}"


def check_excerpt(block: Block, readme: Readme) -> None:
    program = REPO / block.options["of"]
    source = [line.strip() for line in program.read_text(encoding="utf-8").splitlines()]
    position = 0
    for line in (line.strip() for line in block.text.splitlines()):
        if not line or line.startswith("#"):
            continue
        assert line in source[position:], f"README.md:{block.line}: not in {program.name} (in order): {line!r}"
        position = source.index(line, position) + 1
    project = load_project(program.parent)
    for stack in project.stacks():
        args = ["plan", "--stack-file", str(project.stack_file(stack)), "--project-dir", str(project.root)]
        code, _, err = readme.runner.aistacks(REPO, args)
        assert code == 0, err


def check_workflow(block: Block, readme: Readme) -> None:
    workflow = yaml.safe_load(block.text)
    assert workflow["jobs"], "a workflow without jobs"
    for job in workflow["jobs"].values():
        matrix: dict[str, list[str]] = job.get("strategy", {}).get("matrix", {})
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]
            if "run" in step:
                for values in itertools.product(*matrix.values()):
                    command = step["run"]
                    for name, value in zip(matrix, values, strict=True):
                        command = re.sub(rf"\$\{{\{{\s*matrix\.{name}\s*\}}\}}", value, command)
                    assert "${{" not in command, f"an expression this test cannot expand: {command}"
                    run_commands(command, REPO, 0, readme)


def check_modules(block: Block, readme: Readme) -> None:
    named = 0
    for line in block.text.splitlines():
        found = re.match(r"(aistacks(?:\.\w+)+)((?:,\s*\.\w+)*)", line)
        if not found:
            continue
        first = found.group(1)
        base = first.rsplit(".", 1)[0]
        for module in [first, *(base + suffix for suffix in re.findall(r"\.\w+", found.group(2)))]:
            assert importlib.util.find_spec(module) is not None, f"no module {module}"
            named += 1
    assert named, "a modules block naming no module"


def check_paths(block: Block, readme: Readme) -> None:
    for line in block.text.splitlines():
        if line and not line[0].isspace():
            path = line.split()[0]
            assert (REPO / path.rstrip("/")).exists(), f"README.md:{block.line}: no {path} in the repository"


KINDS: dict[str, Callable[[Block, Readme], None]] = {
    "project-file": check_project_file,
    "program": check_program,
    "stack-file": check_stack_file,
    "platform-config": check_platform_config,
    "policy-config": check_policy_config,
    "commands": check_commands,
    "output": check_output,
    "usage": check_usage,
    "excerpt": check_excerpt,
    "workflow": check_workflow,
    "modules": check_modules,
    "paths": check_paths,
}


# Commands


def commands_of(text: str) -> Iterator[list[str]]:
    """The simple commands of a shell text: one per line, and per ``&&``, ``;`` or ``|`` within it, comments
    dropped; a ``<placeholder>`` is one word."""
    for text_line in text.splitlines():
        line = re.sub(r"<[^<>]+>", lambda m: m.group(0).replace(" ", "_"), text_line)
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        command: list[str] = []
        for word in lexer:
            if word in ("&&", ";", "|", "||"):
                if command:
                    yield command
                command = []
            else:
                command.append(word)
        if command:
            yield command


def run_commands(text: str, cwd: Path, expected: int, readme: Readme) -> None:
    for words in commands_of(text):
        if words[0] == "cd":
            cwd = cwd / words[1]
            assert cwd.is_dir(), f"cd {words[1]}: no such folder"
        elif words[0] in AISTACKS:
            code, _, err = readme.runner.aistacks(cwd, words[1:])
            assert code == expected, f"{shlex.join(words)} in {cwd}: exit {code}, the README says {expected}\n{err}"
            output = readme.runner.output_of(cwd, words[1:])
            if output is not None:
                assert output.is_file() and output.stat().st_size, f"{shlex.join(words)}: no {output}"
                if "sarif" in words:
                    assert json.loads(output.read_text(encoding="utf-8"))["version"] == "2.1.0"
        elif words[0] in NOT_RUN:
            _check_not_run(words, cwd)
        else:
            pytest.fail(f"`{shlex.join(words)}`: a command this test neither runs nor knows (add it to NOT_RUN)")


def _check_not_run(words: list[str], cwd: Path) -> None:
    command = words[0]
    if command.startswith("scripts/"):
        script = cwd / command
        assert script.is_file() and os.access(script, os.X_OK), f"{command}: no executable script"
    elif command == "pip":
        assert words[1] == "install", words
        pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        assert pyproject["name"] == "aistacks" and "aistacks" in pyproject["scripts"]
    elif command == "pulumi":
        _check_pulumi(words[1:], cwd)
    elif command == "venv/bin/python":
        assert (cwd / words[1]).is_file(), f"{shlex.join(words)}: no {words[1]}"


def _check_pulumi(args: list[str], cwd: Path) -> None:
    from aistacks.gate import load_policy_config
    from aistacks.policies import POLICIES

    assert args and args[0] in PULUMI_COMMANDS, f"pulumi {args[:1]}: a subcommand this test does not know"
    project = load_project(cwd)
    stacks = [args[2]] if args[:2] == ["stack", "select"] else []
    stacks += [args[i + 1] for i, word in enumerate(args) if word == "--stack"]
    for stack in stacks:
        assert project.stack_file(stack).is_file(), f"pulumi {shlex.join(args)}: no stack file for {stack}"
    for i, word in enumerate(args):
        if word == "--policy-pack":
            assert (cwd / args[i + 1] / "PulumiPolicy.yaml").is_file(), f"no policy pack in {args[i + 1]}"
        if word == "--policy-pack-config":
            load_policy_config(cwd / args[i + 1], POLICIES)


# Tests


def test_every_block_has_a_kind_this_test_knows() -> None:
    unknown = [f"README.md:{block.line}: {block.kind}" for block in BLOCKS if block.kind not in KINDS]
    assert not unknown, "blocks no test covers (mark them: see this module's docstring):\n" + "\n".join(unknown)


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_block(block: Block, readme: Readme) -> None:
    if block.kind not in KINDS:
        pytest.fail(f"README.md:{block.line}: {block.kind}: no test covers it (see this module's docstring)")
    KINDS[block.kind](block, readme)


def test_markers_and_commands_are_understood() -> None:
    text = "<!-- readme-test: usage -->\n\nprose\n```\naistacks plan\n```\n"
    with pytest.raises(ReadmeError, match="no code block after it"):
        parse_blocks(text)
    (block,) = parse_blocks('<!-- readme-test: output project=p command="aistacks plan dev" -->\n```text\nx\n```\n')
    assert (block.kind, block.options, block.text) == (
        "output",
        {"project": "p", "command": "aistacks plan dev"},
        "x\n",
    )
    assert parse_blocks("```yaml\na: 1\n```\n")[0].kind not in KINDS
    assert list(commands_of("a b && c # d\npip install <path to x>  # e")) == [
        ["a", "b"],
        ["c"],
        ["pip", "install", "<path_to_x>"],
    ]


def test_an_excerpt_must_match_in_order() -> None:
    output = "head\n\na\nb\nc\nd\n"
    assert excerpt_mismatch("head\n\na\n…\nd\n", output) is None
    assert excerpt_mismatch("head\n…\n", output) is None
    assert excerpt_mismatch("head\n\nb\n…\n", output) == "b"
    assert excerpt_mismatch("head\n…\nc\nb\n…\n", output) == "b"
    assert excerpt_mismatch("head\n\na\n", output) == "(the output goes on: 'b')"


def test_commands_that_do_not_run_here_are_each_shown() -> None:
    shown = {words[0] for block in BLOCKS if block.kind == "commands" for words in commands_of(block.text)}
    workflows = [yaml.safe_load(block.text) for block in BLOCKS if block.kind == "workflow"]
    shown |= {
        words[0]
        for workflow in workflows
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
        for words in commands_of(step["run"])
    }
    assert set(NOT_RUN) <= shown, f"NOT_RUN lists commands the README no longer shows: {set(NOT_RUN) - shown}"
