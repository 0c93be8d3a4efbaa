"""A real wheel: it carries the theme and the sample shop; `shopgen init` + build work from it."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from sitekit import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # From a copy: setuptools writes its own build/ folder beside pyproject.toml.
    source = out / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", ".shopgen-cache", "test-artifacts",
        "__pycache__", "*.egg-info", "*.sqlite3"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(out)], check=True,
                   capture_output=True)
    (path,) = out.glob("shopgen-*.whl")
    return path


def test_wheel_carries_theme_and_sample_but_no_caches(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("shopgen/cli.py", "shopgen/theme/page.html.j2", "shopgen/theme/404.html.j2",
                     "shopgen/theme/dist/manifest.json", "shopgen/sample/shop.yaml",
                     "tracker/handler.py", "tracker/migrations/env.py"):
        assert required in names, required
    assert any(n.startswith("shopgen/sample/images/") for n in names)
    assert any(n.startswith("shopgen/sample/products/") for n in names)
    assert not any(".shopgen-cache" in n or "/build/" in n or n.endswith(".sqlite3")
                   for n in names)


def test_init_and_build_from_an_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True, check=True)
    target = Path(purelib.stdout.strip())
    with zipfile.ZipFile(wheel) as archive:  # what pip does for a pure-Python wheel
        archive.extractall(target)
    # The dependencies come from the test environment, without its editable shopgen.
    (target / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {**os.environ, "PYTHONNOUSERSITE": "1"}
    env.pop("PYTHONPATH", None)
    where = subprocess.run([str(python), "-c", "import shopgen; print(shopgen.__file__)"],
                           capture_output=True, text=True, check=True, env=env, cwd=tmp_path)
    assert where.stdout.startswith(str(target))
    for args, cwd in ((["init", "mysite"], tmp_path), (["build"], tmp_path / "mysite")):
        done = subprocess.run([str(python), "-m", "shopgen.cli", *args], capture_output=True,
                              text=True, env=env, cwd=cwd)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "Northwind" in (tmp_path / "mysite" / "build" / "index.html").read_text()
