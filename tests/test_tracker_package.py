"""`shopgen tracker package`: the Lambda zip imports and answers in a clean venv.

The first run fetches the Lambda-platform wheels from PyPI (cached afterwards under
~/.cache/shopgen); nothing else leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from shopgen.cli import main

EM_X86_64 = 62
PROBE = r"""
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
import psycopg, sqlalchemy, alembic, aws_lambda_powertools
import tracker.handler
event = {"version": "2.0", "rawPath": "/api/events", "headers": {"user-agent": "probe"},
         "requestContext": {"http": {"method": "GET", "path": "/api/events",
                                     "sourceIp": "192.0.2.1", "userAgent": "probe"}},
         "isBase64Encoded": False}
response = tracker.handler.handler(event, None)
print(json.dumps({"status": response["statusCode"], "psycopg": psycopg.pq.__impl__,
                  "sqlalchemy": sqlalchemy.__file__, "paths": sys.path,
                  "powertools": aws_lambda_powertools.__file__,
                  "shopgen_missing": importlib.util.find_spec("shopgen") is None}))
"""


@pytest.fixture(scope="module")
def lambda_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lambda") / "tracker-lambda.zip"
    result = CliRunner().invoke(main, ["tracker", "package", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    return out


def test_zip_holds_the_tracker_and_binary_wheels_but_no_shopgen(lambda_zip: Path) -> None:
    names = zipfile.ZipFile(lambda_zip).namelist()
    assert "tracker/handler.py" in names and "tracker/__init__.py" in names
    assert any(n.startswith("tracker/migrations/versions/") for n in names)
    assert any(n.startswith("sqlalchemy/") for n in names)
    assert any(n.startswith("alembic/") for n in names)
    assert any(n.startswith("psycopg_binary/") for n in names)
    assert any(n.startswith("aws_lambda_powertools/") for n in names)  # logs, metrics, traces
    assert any(n.startswith("aws_xray_sdk/") for n in names)  # Powertools' tracer needs it
    assert not any(n.startswith(("shopgen/", "shopgen-")) or "/shopgen/" in n for n in names)
    assert_bytecode_is_for_the_lambda(lambda_zip, names)
    shared = [n for n in names if n.endswith(".so") or ".so." in n]
    assert shared, "expected compiled extensions (psycopg-binary)"
    with zipfile.ZipFile(lambda_zip) as archive:
        for name in shared:
            header = archive.read(name)[:20]
            assert header[:4] == b"\x7fELF", name
            assert int.from_bytes(header[18:20], "little") == EM_X86_64, name


def assert_bytecode_is_for_the_lambda(lambda_zip: Path, names: list[str]) -> None:
    """Every .pyc sits in __pycache__ beside its source, for CPython 3.11, unchecked-hash
    (PEP 552: valid whatever the unpacked files' times), so a cold start compiles nothing."""
    pycs = [n for n in names if n.endswith(".pyc")]
    assert "tracker/__pycache__/handler.cpython-311.pyc" in pycs
    assert any(n.startswith("sqlalchemy/") for n in pycs)
    with zipfile.ZipFile(lambda_zip) as archive:
        for name in pycs:
            folder, _, file = name.rpartition("__pycache__/")
            assert file.endswith(".cpython-311.pyc") and "/" not in file, name
            assert f"{folder}{file.split('.')[0]}.py" in names, name
            flags = int.from_bytes(archive.read(name)[4:8], "little")
            assert flags == 0b01, name  # hash-based, not checked against the source


def test_zip_is_deterministic(lambda_zip: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    result = CliRunner().invoke(main, ["tracker", "package", "--out", str(again)])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == lambda_zip.read_bytes()


def run_in_clean_venv(lambda_zip: Path, tmp_path: Path, code: str,
                      **env: str) -> tuple[Path, dict]:
    """Unpack the zip, run `code` with it first on sys.path in a venv with nothing installed;
    returns the unpacked folder and the JSON the code printed last."""
    unpacked = tmp_path / "task"
    zipfile.ZipFile(lambda_zip).extractall(unpacked)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", code, str(unpacked)], capture_output=True,
        text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **env},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return unpacked, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(sys.platform != "linux", reason="the wheels are for Linux x86_64")
def test_handler_imports_and_answers_in_a_clean_venv(lambda_zip: Path, tmp_path: Path) -> None:
    unpacked, answer = run_in_clean_venv(
        lambda_zip, tmp_path, PROBE, TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}")
    assert answer["status"] == 405
    assert answer["psycopg"] == "binary"  # the compiled wheel loaded, not pure Python
    assert answer["sqlalchemy"].startswith(str(unpacked))
    assert answer["powertools"].startswith(str(unpacked))
    assert answer["shopgen_missing"] is True
    assert not any("site-packages" in p and ".venv" in p for p in answer["paths"])


def test_zip_is_the_write_side_only(lambda_zip: Path) -> None:
    """The Lambda carries what stores events; the report and the local servers stay in shopgen."""
    names = zipfile.ZipFile(lambda_zip).namelist()
    tracker_files = [n for n in names if n.startswith("tracker/")]
    assert not any("report" in n or "localserver" in n or "serve" in n for n in tracker_files)
    for module in ("handler", "validation", "privacy", "storage", "models", "migrate"):
        assert f"tracker/{module}.py" in tracker_files, module


IMPORT_ALL = r"""
import importlib, json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
import tracker
names = [m.name for m in pkgutil.iter_modules(tracker.__path__, "tracker.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(m for m in sys.modules
                                                     if m.split(".")[0] == "shopgen")}))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the wheels are for Linux x86_64")
def test_every_tracker_module_imports_with_only_the_zip(lambda_zip: Path, tmp_path: Path) -> None:
    _unpacked, answer = run_in_clean_venv(lambda_zip, tmp_path, IMPORT_ALL)
    assert "tracker.handler" in answer["modules"] and "tracker.storage" in answer["modules"]
    assert answer["loaded"] == []  # nothing of shopgen was imported
