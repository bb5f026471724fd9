"""The wheel ships every package and the resources: pyproject.toml lists packages
explicitly (resources/ is mapped to ``gradviz.resources``), so a new subpackage that is
not listed would silently be missing from ``pip install .``."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _config():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_is_listed_for_the_wheel():
    listed = set(_config()["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "gradviz").rglob("__init__.py")
    }
    assert on_disk <= listed, f"add to pyproject.toml packages: {sorted(on_disk - listed)}"
    assert "gradviz.resources" in listed
    assert listed - on_disk == {"gradviz.resources"}


def test_resources_are_mapped_and_shipped():
    cfg = _config()["tool"]["setuptools"]
    assert cfg["package-dir"]["gradviz.resources"] == "resources"
    assert (ROOT / "resources" / "__init__.py").exists()
    assert (ROOT / "resources" / "examples" / "tutorial.py").exists()
    assert cfg["package-data"]["gradviz.resources"] == ["**/*"]


def test_console_script_and_extras():
    project = _config()["project"]
    assert project["scripts"]["gradviz"] == "gradviz.cli:main"
    deps = " ".join(project["dependencies"])
    assert "PySide6-Essentials" in deps and "<6.12" in deps  # 6.12.0 aborts (DESIGN.md)
    assert any(d.startswith("torch==") for d in project["optional-dependencies"]["oracle"])


def test_the_console_extra_and_the_test_command_installing_it():
    extras = _config()["project"]["optional-dependencies"]
    assert any(d.startswith("qtconsole") for d in extras["console"])
    assert any(d.startswith("ipykernel") for d in extras["console"])
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert "'.[test,oracle,console]'" in command
    assert command in readme  # the README's test command is exactly what CI runs
