"""The README's config reference is generated from the config models and the defaults
(``scripts/config_reference.py``): it is current, it covers every key and every default, and the
docstrings it is made of say what the code does."""

from __future__ import annotations

import difflib
import importlib.util
import shutil
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from aistacks import spec as spec_module
from aistacks._model import StrictModel
from aistacks.defaults import ROLE_DEFAULTS, TIER_DEFAULTS, RoleDefaults, TierDefaults

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "config_reference.py"
COMMAND = "venv/bin/python scripts/config_reference.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("config_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


reference = _load()

CONFIG_MODELS = [
    model
    for model in vars(spec_module).values()
    if isinstance(model, type) and issubclass(model, StrictModel) and model is not StrictModel
]


def test_the_readme_config_reference_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    wanted = reference.replace_block(readme, reference.render())
    diff = "".join(
        list(difflib.unified_diff(readme.splitlines(True), wanted.splitlines(True), "README.md", "generated", n=0))[:40]
    )
    assert wanted == readme, f"README.md's config reference is stale: run `{COMMAND}` and commit README.md\n{diff}"


def test_every_field_of_every_config_model_has_a_row() -> None:
    assert {m.__name__ for m in CONFIG_MODELS} >= {"PlatformSpec", "ClusterSpec", "GpuPoolSpec", "VectorSpec"}
    rows = reference.rows()
    documented = {(row.model, row.field) for row in rows}
    rendered = reference.render()
    for model in CONFIG_MODELS:
        for name in model.model_fields:
            assert (model, name) in documented, f"{model.__name__}.{name} is not in the config reference"
    for row in rows:
        assert row.type and row.default and row.meaning, row
        assert f"| `{row.key}` | {row.type} | {row.default} | {row.meaning} |" in rendered
    assert len({row.key for row in rows}) == len(rows), "two rows with one key"


def test_keys_types_and_defaults_read_as_the_config_is_written() -> None:
    rows = {row.key: row for row in reference.rows()}
    assert rows["environment"].type == r"`dev` \| `staging` \| `prod`"
    assert rows["environment"].default == "required"
    assert rows["aws.cidr"].type == "IPv4 CIDR (/16 or /17)"
    assert rows["aws.cidr"].default == "`10.0.0.0/16`"
    assert rows["aws.zones"].default == "the tier's `aws_zones` (dev 2, staging and prod 3)"
    assert rows["clusters[].gpu_pools[].gpus_per_node"].type == "integer, 1 to 16"
    assert rows["clusters[].gpu_pools[].min_nodes"].default == "the role's `min_nodes` (training 0, inference 1)"
    assert "`h100`" in rows["clusters[].gpu_pools[].gpu"].type
    assert rows["clusters[].api_access_cidrs"].type == "list of IPv4 CIDR"
    assert rows["buckets[]"].default == "`datasets`, `models`"
    assert rows["vector[]"].type.startswith("one object, or a list")
    assert rows["vector[].storage_gib"].default == "50"
    assert "Default" not in rows["vector[].replicas"].meaning
    assert "``" not in reference.render()


def test_every_tier_and_role_default_has_a_row() -> None:
    for cls, by, table in (
        (TierDefaults, TIER_DEFAULTS, reference.tier_table()),
        (RoleDefaults, ROLE_DEFAULTS, reference.role_table()),
    ):
        assert table[0] == f"| setting | {' | '.join(by)} | config key | meaning |"
        for field in fields(cls):
            (line,) = [line for line in table if line.startswith(f"| `{field.name}` |")]
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            assert len(cells) == len(by) + 3, line
            assert cells[-1], f"{cls.__name__}.{field.name} has no meaning"


def test_the_tier_table_names_the_keys_each_default_is_for() -> None:
    table = "\n".join(reference.tier_table())
    assert "| `nat` | `single` | `single` | `per_zone` | `aws.nat` |" in table
    assert "`buckets[].noncurrent_version_days`, `vector[].snapshot_retention_days`" in table
    assert "| `soft_delete_days` | 7 | 30 | 90 | — |" in table


def test_a_documented_default_agrees_with_the_code() -> None:
    """Where the code holds a plain default the table shows it; a docstring that also says it must agree."""
    for row in reference.rows():
        field = row.model.model_fields[row.field]
        value = field.get_default(call_default_factory=True)
        if row.default_source is None or not isinstance(value, bool | int | str):
            continue
        said = str(value).lower() if isinstance(value, bool) else str(value)
        assert said in row.default_source, (
            f"{row.model.__name__}.{row.field}: the code's default is {value!r}, its docstring says "
            f"{row.default_source!r}"
        )


def test_an_undocumented_field_or_default_fails_the_render() -> None:
    class Undocumented(StrictModel):
        size: int = 1

    class SilentDefault(StrictModel):
        size: int | None = None
        """A size."""

    with pytest.raises(ValueError, match=r"Undocumented\.size has no docstring"):
        reference.tables(Undocumented)
    with pytest.raises(ValueError, match=r"SilentDefault\.size: say its default"):
        reference.tables(SilentDefault)

    @dataclass(frozen=True)
    class Partial:
        documented: int
        """Documented."""
        undocumented: int

    assert reference.attribute_docstrings(Partial) == {"documented": "Documented."}


def test_an_unknown_default_reference_fails_the_render() -> None:
    with pytest.raises(ValueError, match="TierDefaults has no field 'zones'"):
        reference.markdown("Default: ``tier.zones``.")
    with pytest.raises(ValueError, match=r"aistacks\.defaults has no 'NOTHING'"):
        reference.markdown("``defaults.NOTHING``")


def test_check_fails_on_a_stale_readme_and_the_script_rewrites_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    shutil.copy(REPO / "README.md", readme)
    text = readme.read_text(encoding="utf-8")
    start = text.index(reference.BEGIN) + len(reference.BEGIN)
    stale = text[:start] + "\n| `old` | table |\n" + text[text.index(reference.END) :]
    readme.write_text(stale, encoding="utf-8")

    assert reference.main(["--check", "--readme", str(readme)]) == 1
    assert COMMAND in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == stale

    assert reference.main(["--readme", str(readme)]) == 0
    assert reference.main(["--check", "--readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == reference.replace_block(text, reference.render())
    assert [path.name for path in tmp_path.iterdir()] == ["README.md"], "a temporary file was left behind"


def test_a_readme_without_markers_is_an_error(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n## Config reference\n", encoding="utf-8")
    assert reference.main(["--check", "--readme", str(readme)]) == 1
    assert reference.main(["--readme", str(readme)]) == 1


def test_only_config_models_live_in_spec() -> None:
    """Every model in aistacks.spec is reached from PlatformSpec, so the reference walks them all."""
    tables: set[type[BaseModel]] = {table.model for table in reference.tables()}
    nested = {row.model for row in reference.rows()}
    assert set(CONFIG_MODELS) == tables | nested
