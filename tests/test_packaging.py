"""A real wheel: it carries the theme and the sample shop; `shopgen init` + build work from it."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from s3_server import AwsSite
from sitekit import REPO

pytest_plugins = ["s3_server"]  # moto fixtures: moto_endpoint, aws


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # From a copy: setuptools writes its own build/ folder beside pyproject.toml.
    source = out / "source"
    copy_source(source)
    # Without the bundled theme: the build hook (setup.py) must bundle it into the wheel.
    assert not (source / "templates" / "dist").exists()
    (source / "node_modules").symlink_to(REPO / "node_modules")
    done = build_wheel(source, out, os.environ["PATH"])
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = out.glob("shopgen-*.whl")
    return path


def copy_source(source: Path) -> None:
    """The repository's sources without outputs, caches, node_modules or the bundled theme."""
    skip = shutil.ignore_patterns(".git", ".venv", "node_modules", ".shopgen-cache",
                                  "test-artifacts", "__pycache__", "*.egg-info", "*.sqlite3")
    outputs = {REPO: {"build", "dist"}, REPO / "catalog_data": {"build"},
               REPO / "templates": {"dist"}}

    def ignore(folder: str, names: list[str]) -> set[str]:
        # Output folders only (build/, dist/, templates/dist/), not shopgen/build/.
        return set(skip(folder, names)) | (outputs.get(Path(folder), set()) & set(names))

    shutil.copytree(REPO, source, ignore=ignore)


def build_wheel(source: Path, out: Path, path: str) -> subprocess.CompletedProcess:
    """`pip wheel` the source folder (setuptools writes its own build/ beside pyproject.toml,
    hence a copy), with `path` as PATH."""
    return subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(out)], capture_output=True,
                          text=True, env={**os.environ, "PATH": path})


def test_wheel_build_without_node_and_without_the_bundle_fails_clearly(tmp_path: Path) -> None:
    source = tmp_path / "source"
    copy_source(source)
    done = build_wheel(source, tmp_path / "out", str(Path(sys.executable).parent))
    assert done.returncode != 0
    assert "the theme is not bundled (templates/dist/manifest.json is missing)" in done.stderr
    assert "npm ci && node scripts/bundle-theme.mjs" in done.stderr
    assert not list(tmp_path.glob("out/*.whl"))


def test_wheel_carries_theme_and_sample_but_no_caches(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("shopgen/cli.py", "shopgen/theme/page.html.j2", "shopgen/theme/404.html.j2",
                     "shopgen/theme/dist/manifest.json", "shopgen/sample/shop.yaml",
                     "tracker/handler.py", "tracker/migrations/env.py",
                     "tracker/migrations/versions/0001_events_and_salts.py",
                     "shopgen/deploy/aws/template.yaml"):
        assert required in names, required
    assert any(n.startswith("shopgen/sample/images/") for n in names)
    assert any(n.startswith("shopgen/sample/products/") for n in names)
    outputs = [n for n in names if ".shopgen-cache" in n or n.endswith(".sqlite3")
               or ("build" in n.split("/")[:-1] and not n.startswith("shopgen/build/"))]
    assert outputs == []


@dataclass(frozen=True)
class Installed:
    """A fresh venv holding the wheel (its dependencies come from the test environment)."""

    python: Path
    env: dict[str, str]
    target: Path

    def shopgen(self, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.python), "-m", "shopgen.cli", *args],
                              capture_output=True, text=True, env={**self.env, **env}, cwd=cwd)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True, check=True)
    target = Path(purelib.stdout.strip())
    with zipfile.ZipFile(wheel) as archive:  # what pip does for a pure-Python wheel
        archive.extractall(target)
    # The dependencies come from the test environment, without its editable shopgen.
    (target / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPATH", "AWS_",
                                                                     "TRACKER_"))}
    env["PYTHONNOUSERSITE"] = "1"
    # A machine without Node.js: nothing on PATH but the venv's own scripts.
    env["PATH"] = str(env_dir / "bin")
    assert shutil.which("node", path=env["PATH"]) is None
    return Installed(python, env, target)


def source_packages() -> set[str]:
    """Every Python package of the source tree (a folder with __init__.py)."""
    return {".".join(init.parent.relative_to(REPO).parts)
            for top in ("shopgen", "tracker") for init in (REPO / top).rglob("__init__.py")
            if "__pycache__" not in init.parts}


def test_wheel_imports_every_subpackage(installed: Installed, tmp_path: Path) -> None:
    packages = sorted(source_packages())
    assert {"shopgen.build", "shopgen.catalog", "shopgen.publish", "shopgen.report",
            "shopgen.search"} <= set(packages)
    probe = ("import importlib, sys\n"
             "for name in sys.argv[1:]:\n"
             "    print(importlib.import_module(name).__file__)\n")
    done = subprocess.run([str(installed.python), "-c", probe, *packages], capture_output=True,
                          text=True, env=installed.env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    files = done.stdout.split()
    assert len(files) == len(packages)
    assert all(f.startswith(str(installed.target)) for f in files), files


def test_init_and_build_from_an_installed_wheel(installed: Installed, tmp_path: Path) -> None:
    where = subprocess.run([str(installed.python), "-c", "import shopgen; print(shopgen.__file__)"],
                           capture_output=True, text=True, check=True, env=installed.env,
                           cwd=tmp_path)
    assert where.stdout.startswith(str(installed.target))
    for args, cwd in ((["init", "mysite"], tmp_path), (["build"], tmp_path / "mysite")):
        done = installed.shopgen(*args, cwd=cwd)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "Northwind" in (tmp_path / "mysite" / "build" / "index.html").read_text()


def test_version_of_an_installed_wheel(installed: Installed, tmp_path: Path) -> None:
    done = installed.shopgen("--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert done.stdout.strip().endswith(f"version {version}")


def test_installed_wheel_finds_its_deploy_template(installed: Installed, tmp_path: Path) -> None:
    probe = "from shopgen.resources import deploy_template as t; print(t().is_file(), t())"
    done = subprocess.run([str(installed.python), "-c", probe], capture_output=True, text=True,
                          env=installed.env, cwd=tmp_path)
    assert done.stdout.split() == ["True", str(installed.target / "shopgen/deploy/aws/"
                                               "template.yaml")], done.stderr


def test_publish_dry_run_and_report_from_an_installed_wheel(
    installed: Installed, tmp_path: Path, aws: AwsSite
) -> None:
    assert installed.shopgen("init", "shop", cwd=tmp_path).returncode == 0
    shop = tmp_path / "shop"
    assert installed.shopgen("build", cwd=shop).returncode == 0
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_CONFIG_FILE": str(tmp_path / "none"),
                   "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    plan = installed.shopgen("publish", "--dry-run", "--bucket", aws.bucket, "--endpoint-url",
                             aws.endpoint, cwd=shop, **credentials)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "Dry run" in plan.stdout and "Upload (" in plan.stdout
    assert aws.keys() == set()
    database = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'events.sqlite3'}"}
    assert installed.shopgen("db", "upgrade", cwd=shop, **database).returncode == 0
    report = installed.shopgen("report", "--format", "json", cwd=shop, **database)
    assert report.returncode == 0, report.stdout + report.stderr
    assert json.loads(report.stdout)["empty"] is True


def test_pyproject_lists_every_package() -> None:
    listed = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert source_packages() <= set(listed)
