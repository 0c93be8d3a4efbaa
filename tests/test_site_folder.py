"""Which folder is the shop: --site, the current folder, or its catalog_data/ (as MkDocs finds
mkdocs.yml); every command taking --site resolves it the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import write_site

from shopgen.cli import main


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository that keeps its shop in catalog_data/ (like shopgen's own)."""
    write_site(tmp_path / "repo" / "catalog_data")
    (tmp_path / "repo" / "README.md").write_text("my shop\n")
    return tmp_path / "repo"


def test_build_at_a_repository_root_builds_its_catalog_data(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repository)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert (repository / "catalog_data" / "build" / "index.html").is_file()
    assert not (repository / "build").exists()


def test_explicit_site_with_catalog_data_means_that_shop(repository: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--site", str(repository)])
    assert result.exit_code == 0, result.output
    assert "catalog_data" in result.output


def test_a_folder_without_a_shop_says_where_it_looked_and_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["build"], ["check"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: no shop here: looked for "
                                        f"{tmp_path / 'shop.yaml'} and "
                                        f"{tmp_path / 'catalog_data' / 'shop.yaml'}")
        assert "Run `shopgen init mysite`" in result.output
        assert "Traceback" not in result.output


def test_a_shop_yaml_beside_catalog_data_wins(repository: Path) -> None:
    write_site(repository)  # the folder itself is a shop too: it is the one meant
    from shopgen.config.site_folder import find_site

    assert find_site(repository) == repository
    assert find_site(repository / "catalog_data") == repository / "catalog_data"
