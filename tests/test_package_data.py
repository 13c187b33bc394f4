"""Every data file the package reads at run time is declared as package data (or a wheel
built from pyproject.toml would ship without it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "dataready"


def test_every_toml_and_json_data_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["dataready"]
    data_files = [
        p
        for suffix in ("*.toml", "*.json")
        for p in PACKAGE.rglob(suffix)
        if "static" not in p.parts
    ]
    assert any(p.name == "recognisers.toml" for p in data_files)
    missing = [
        str(p.relative_to(PACKAGE))
        for p in data_files
        if not any(p.relative_to(PACKAGE).match(g) for g in globs)
    ]
    assert not missing, f"add these to [tool.setuptools.package-data] in pyproject: {missing}"
