"""What the CF Python buildpack needs: a pinned requirements.txt in sync with pyproject.toml (ending with
the project itself), runtime.txt with Python 3.11, and nothing of that left out by .cfignore."""

from __future__ import annotations

import re

import pathspec
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bpverify.tools import requirements
from tests.deploy.descriptors import ROOT

TEXT = (ROOT / "requirements.txt").read_text(encoding="utf-8")
PINS = requirements.pinned_names(TEXT)


def test_runtime_txt_pins_python_3_11() -> None:
    assert re.fullmatch(r"python-3\.11\.(x|\d+)\n?", (ROOT / "runtime.txt").read_text(encoding="utf-8"))


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    for declared in requirements.declared(ROOT / "pyproject.toml"):
        name = canonicalize_name(declared.name)
        assert name in PINS, f"{name} is missing in requirements.txt: run `bpverify requirements`"
        assert declared.specifier.contains(PINS[name], prereleases=True), f"{name}=={PINS[name]} vs {declared}"


def test_no_pin_is_left_over_from_a_removed_dependency() -> None:
    needed = requirements.closure(requirements.declared(ROOT / "pyproject.toml"))
    stale = sorted(set(PINS) - set(needed))
    assert stale == [], f"not needed any more: {stale}; run `bpverify requirements`"


def test_requirements_install_the_project_itself_and_pin_everything_else() -> None:
    lines = [line.strip() for line in TEXT.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert lines[-1] == "."
    for line in lines[:-1]:
        requirement = Requirement(line)
        assert len(requirement.specifier) == 1 and next(iter(requirement.specifier)).operator == "=="


def test_pins_are_rendered_sorted_and_deterministic() -> None:
    assert requirements.render(PINS) == TEXT


def test_cfignore_keeps_what_the_buildpack_installs() -> None:
    spec = pathspec.GitIgnoreSpec.from_lines((ROOT / ".cfignore").read_text(encoding="utf-8").splitlines())
    code = [str(p.relative_to(ROOT)) for p in (ROOT / "srv").rglob("*.py") if "__pycache__" not in p.parts]
    pushed = [*code, "pyproject.toml", "README.md", "requirements.txt", "runtime.txt"]
    assert [path for path in pushed if spec.match_file(path)] == []
    assert all(spec.match_file(p) for p in (".venv/bin/python", "tests/conftest.py", "db/src/.hdiconfig", "app/x"))
