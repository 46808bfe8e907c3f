"""`pip install .` into a new virtual environment outside the repository, used from another folder."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding a regular (not editable) install of this repository; its bin folder.

    The package is built and installed from the repository (its layout, data files and entry point are what is
    under test); its dependencies come from this test run's environment through a path entry, not a second
    download of the provider SDKs (more than a minute of the suite). That entry is only a path: the editable
    install of the test environment is not loaded (its .pth files are not processed), and the fresh venv's own
    site-packages comes first."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    fresh = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(fresh) / "test-run-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "--no-deps", str(REPO)],
        check=True,
        capture_output=True,
        text=True,
    )
    return venv / "bin"


def run(binary: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_the_cli_is_installed(installed: Path, tmp_path: Path) -> None:
    result = run(installed / "aistacks", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "plan" in result.stdout


def test_components_import_under_the_aistacks_name(installed: Path, tmp_path: Path) -> None:
    code = (
        "import aistacks, aistacks.catalog;"
        "from aistacks.aws import EncryptedBucket as A; from aistacks.gcp import EncryptedBucket as G;"
        "assert A.__module__ == 'aistacks.aws.bucket' and G.__module__ == 'aistacks.gcp.bucket';"
        "import sys; assert aistacks.__file__.startswith(sys.prefix), (aistacks.__file__, sys.prefix);"
        "print(aistacks.catalog.jurisdiction_of_region('gcp', 'europe-west2'))"
    )
    result = run(installed / "python", "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "uk", "the catalog's data files were installed with the package"


def test_generic_folder_names_are_not_importable(installed: Path, tmp_path: Path) -> None:
    result = run(installed / "python", "-c", "import components", cwd=tmp_path)
    assert result.returncode != 0, "the package must only be importable as `aistacks`"


def test_the_installed_cli_plans_the_repository_stacks(installed: Path, tmp_path: Path) -> None:
    result = run(installed / "aistacks", "plan", "dev", "--project-dir", str(REPO), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "stack dev of project aistacks" in result.stdout
