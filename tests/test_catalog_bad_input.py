"""Bad catalog input: every mistake is a `file:line:` problem, all listed at once, exit 1, no
traceback, and the previous build/ left exactly as it was."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sitekit import SHOP, TODAY, product, write_site

from shopgen.catalog import load_catalog
from shopgen.cli import main
from shopgen.errors import CatalogError

# A line the CLI prints for one catalog problem: `  products/zz.yaml:12: …`.
PROBLEM_LINE = r"^  [\w./-]+\.yaml:\d+: \S"


def problems_of(site: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(site, TODAY)
    return caught.value.problems


def build(site: Path) -> Result:
    return CliRunner().invoke(main, ["build", "--site", str(site)])


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` and a hash of its bytes."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def alias_bomb(levels: int) -> str:
    """`a` is nine x, `b` nine a, `c` nine b…: 9^levels values from a few lines of YAML."""
    names = "abcdefghij"
    lines = ["bomb_a: &a [x, x, x, x, x, x, x, x, x]"]
    for below, name in zip(names, names[1:levels], strict=False):
        lines.append(f"bomb_{name}: &{name} [{', '.join([f'*{below}'] * 9)}]")
    return "\n".join(lines) + "\n"


def category_chain(depth: int) -> str:
    """categories.yaml with the tiny shop's categories and a chain c1 → c2 → … `depth` deep."""
    entries = ["- {id: clothing, name: Clothing}", "- {id: jackets, name: J, parent: clothing}",
               "- {id: bags, name: Bags}", "- {id: c1, name: C1}"]
    entries += [f"- {{id: c{i}, name: C{i}, parent: c{i - 1}}}" for i in range(2, depth + 1)]
    return "\n".join(entries) + "\n"


# (bad input, files that break the tiny shop, a problem the build must list, whole)
CASES = [
    ("added-2026-13-01", {"products/zz.yaml": product(added="2026-13-01")},
     "products/zz.yaml:10: added must be a date like 2026-11-24, found '2026-13-01' "
     "(month must be in 1..12)"),
    ("effective-2026-02-30", {"products/zz.yaml": product(price=None)
                              + 'prices:\n  - {price: "5.00", effective: 2026-02-30}\n'},
     "products/zz.yaml:12: effective must be a date like 2026-11-24, found '2026-02-30' "
     "(day is out of range for month)"),
    ("price-5000-digit-integer", {"products/zz.yaml": product(price="9" * 5000)},
     "products/zz.yaml:11: price 9999"),
    ("attribute-5000-digit-integer",
     {"products/zz.yaml": product(attributes="{weight: " + "9" * 5000 + "}")},
     "products/zz.yaml:12: attribute 'weight' 9999"),
    ("price-1e26", {"products/zz.yaml": product(price="1e26")},
     "products/zz.yaml:11: price 1e26 is too large (at most 9999999999.99)"),
    ("price-0.001-eur", {"products/zz.yaml": product(price="0.001")},
     "products/zz.yaml:11: price 0.001 has too many decimals: EUR amounts have at most 2"),
    ("compare-at-price-absurd", {"products/zz.yaml": product(compare_at_price='"10000000000"')},
     "products/zz.yaml:12: compare_at_price 10000000000 is too large"),
    ("price-negative", {"products/zz.yaml": product(price="-5.00")},
     "products/zz.yaml:11: price must be greater than 0"),
    ("attribute-absurd-number", {"products/zz.yaml": product(attributes="{weight: 1.0e+300}")},
     "products/zz.yaml:12: attribute 'weight' 1.0E+300 is too large"),
    ("attribute-too-many-decimals",
     {"products/zz.yaml": product(attributes="{weight: 0.0000001}")},
     "products/zz.yaml:12: attribute 'weight' 1E-7 has more than 6 decimals"),
    ("alias-bomb", {"products/zz.yaml": product() + alias_bomb(6)},
     "products/zz.yaml:13: YAML aliases (*a) are not allowed in catalog files"),
    ("yaml-merge-key", {"products/zz.yaml": "base: &base {brand: acme}\n<<: *base\n"},
     "products/zz.yaml:2: YAML aliases (*base) are not allowed"),
    ("empty-product-file", {"products/zz.yaml": ""}, "products/zz.yaml:1: file is empty"),
    ("comments-only-product-file", {"products/zz.yaml": "# to do\n"},
     "products/zz.yaml:1: file is empty"),
    ("empty-brands-file", {"brands.yaml": ""}, "brands.yaml:1: file is empty"),
    ("product-file-is-a-list", {"products/zz.yaml": "- sku: ZZ-1\n- name: X\n"},
     "products/zz.yaml:1: expected a mapping of fields, found a list"),
    ("latin-1-product-file", {"products/zz.yaml": product(name="Café").encode("latin-1")},
     "products/zz.yaml:2: file is not UTF-8 text (byte 0xe9)"),
    ("control-character", {"products/zz.yaml": product(name="a\x07b")},
     "products/zz.yaml:2: invalid YAML: control characters are not allowed"),
    ("control-character-escaped-in-quotes", {"products/zz.yaml": product(name='"a\\x07b"')},
     "products/zz.yaml:2: name holds the control character U+0007: remove it"),
    ("control-character-escaped-in-a-list",
     {"products/zz.yaml": product(colours='[Red, "Na\\u0000vy"]')},
     "products/zz.yaml:6: an entry of colours holds the control character U+0000"),
    ("nested-500-deep", {"products/zz.yaml": product(colours="[" * 500 + "]" * 500)},
     "products/zz.yaml:6: values are nested more than 50 levels deep"),
    ("unknown-field-colour", {"products/zz.yaml": product(colour="[Red]")},
     "products/zz.yaml:12: unknown field 'colour' (did you mean 'colours'?)"),
    ("category-cycle", {"categories.yaml": category_chain(1)
                        + "- {id: a, name: A, parent: b}\n- {id: b, name: B, parent: a}\n"},
     "categories.yaml:5: category 'a' is its own ancestor ('a' → 'b' → 'a')"),
    ("category-unknown-parent", {"categories.yaml": category_chain(1)
                                 + "- {id: boots, name: Boots, parent: shoe}\n"},
     "categories.yaml:5: unknown parent category 'shoe'"),
    ("category-chain-1500-deep", {"categories.yaml": category_chain(1500),
                                  "products/zz.yaml": product(category="c1500")},
     "categories.yaml:24: category 'c21' is nested 21 levels deep (at most 20)"),
    ("brands-yaml-a-mapping", {"brands.yaml": "acme: {name: Acme}\n"},
     "brands.yaml:1: expected a list of entries (each one starting with `- id:`), "
     "found a mapping"),
    ("categories-yaml-entry-a-string", {"categories.yaml": category_chain(1) + "- shoes\n"},
     "categories.yaml:5: expected a mapping of fields, found 'shoes'"),
]


@pytest.fixture(scope="module")
def built_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny shop, built once; each test breaks a copy of it."""
    site = write_site(tmp_path_factory.mktemp("built") / "shop")
    result = build(site)
    assert result.exit_code == 0, result.output
    return site


@pytest.mark.parametrize(("files", "expected"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_bad_input_fails_the_build_and_keeps_the_previous_one(
        built_shop: Path, tmp_path: Path, files: dict, expected: str) -> None:
    site = shutil.copytree(built_shop, tmp_path / "shop", symlinks=True)
    before = snapshot(site / "build")
    write_files(site, files)
    result = build(site)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    assert result.output.startswith("Error: the catalog has"), result.output
    problems = result.output.splitlines()[1:]
    assert any(line.startswith(f"  {expected}") for line in problems), result.output
    # Each problem once, each with its file and line.
    assert len(problems) == len(set(problems))
    assert all(_is_problem_line(line) for line in problems), result.output
    assert snapshot(site / "build") == before


def write_files(site: Path, files: dict[str, str | bytes]) -> None:
    """Like write_site, with bytes written as they are (text that is not UTF-8)."""
    write_site(site, {name: data for name, data in files.items() if isinstance(data, str)})
    for name, data in files.items():
        if isinstance(data, bytes):
            (site / name).write_bytes(data)


def _is_problem_line(line: str) -> bool:
    return re.match(PROBLEM_LINE, line) is not None


def test_every_problem_of_every_file_is_listed_at_once(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/za.yaml": product("ZA-1", added="2026-13-01"),
                           "products/zb.yaml": product("ZB-1", price="1e26", sizes="M"),
                           "products/zc.yaml": "",
                           "products/zd.yaml": product("ZD-1") + alias_bomb(2),
                           "categories.yaml": category_chain(25)})
    problems = problems_of(tiny_site)
    assert sorted(p.split(":")[0] for p in problems) == [
        "categories.yaml", "products/za.yaml", "products/zb.yaml", "products/zb.yaml",
        "products/zc.yaml", "products/zd.yaml"]


def test_unknown_field_is_reported_once(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": product(colour="[Red]")})
    assert problems_of(tiny_site) == [
        "products/zz.yaml:12: unknown field 'colour' (did you mean 'colours'?)"]


def test_file_that_is_not_a_mapping_is_one_problem(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": "Storm Jacket, 129 euros\n"})
    assert problems_of(tiny_site) == [
        "products/zz.yaml:1: expected a mapping of fields, found 'Storm Jacket, 129 euros'"]


def test_utf8_bom_is_accepted(tiny_site: Path) -> None:
    # Notepad and Excel on Windows start UTF-8 files with a byte-order mark.
    (tiny_site / "products/zz.yaml").write_bytes(b"\xef\xbb\xbf" + product().encode())
    (tiny_site / "brands.yaml").write_bytes(
        b"\xef\xbb\xbf" + (tiny_site / "brands.yaml").read_bytes())
    zz = next(p for p in load_catalog(tiny_site, TODAY).products if p.sku == "ZZ-1")
    assert zz.name == "Test Product"


def test_prices_have_the_currency_decimals(tiny_site: Path) -> None:
    # Yen have no decimals: 59.90 is a mistake, 129.00 is a whole number of yen.
    write_site(tiny_site, {"shop.yaml": SHOP.replace("EUR", "JPY"),
                           "products/zz.yaml": product(price='"1500"')})
    assert problems_of(tiny_site) == [
        "products/ac-2.yaml:14: price 59.90 has too many decimals: JPY amounts have none"]
    write_site(tiny_site, {"shop.yaml": SHOP, "products/zz.yaml": product(price='"49.900"')})
    assert next(p for p in load_catalog(tiny_site, TODAY).products
                if p.sku == "ZZ-1").price.amount == Decimal("49.9")


def test_largest_price_is_accepted(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": product(price='"9999999999.99"')})
    load_catalog(tiny_site, TODAY)
    write_site(tiny_site, {"products/zz.yaml": product(price='"10000000000.00"')})
    assert problems_of(tiny_site) == [
        "products/zz.yaml:11: price 10000000000.00 is too large (at most 9999999999.99)"]


def test_negative_number_attribute_is_accepted(tiny_site: Path) -> None:
    # A sleeping bag rated to -10 °C: number attributes may be negative.
    write_site(tiny_site, {"products/zz.yaml": product(attributes="{weight: -10}")})
    zz = next(p for p in load_catalog(tiny_site, TODAY).products if p.sku == "ZZ-1")
    assert zz.attributes == {"weight": -10}


def test_category_loop_is_reported_once_and_not_for_its_branches(tiny_site: Path) -> None:
    # x hangs under the loop a → b → c → a: only the loop is a problem.
    write_site(tiny_site, {"categories.yaml": category_chain(1)
                           + "- {id: x, name: X, parent: b}\n- {id: b, name: B, parent: c}\n"
                           "- {id: a, name: A, parent: b}\n- {id: c, name: C, parent: a}\n"})
    assert problems_of(tiny_site) == [
        "categories.yaml:6: category 'b' is its own ancestor ('b' → 'c' → 'a' → 'b')"]


def test_20_deep_category_chain_builds(tiny_site: Path) -> None:
    write_site(tiny_site, {"categories.yaml": category_chain(20),
                           "products/zz.yaml": product(category="c20")})
    result = build(tiny_site)
    assert result.exit_code == 0, result.output
    path = load_catalog(tiny_site, TODAY).category_path("c20")
    assert [c.id for c in path] == [f"c{i}" for i in range(1, 21)]


# --- property: whatever the mutation, success or `file:line:` problems, never a crash ------

VALID_PRODUCT = yaml.safe_load(product(attributes="{material: Nylon, weight: 480}"))
odd_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
scalars = st.one_of(
    st.none(), st.booleans(), odd_text,
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.floats(allow_nan=False, allow_infinity=False), st.dates().map(str),
    st.sampled_from(["2026-13-01", "2026-02-30", "1e26", "0.001", "-1", "9" * 5000, "",
                     "acme", "bags", "c1", "[ac-2.jpg]", "*a", "&a x", "{", "'", "- x"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(odd_text, inner, max_size=3), max_leaves=6)
keys = st.sampled_from([*VALID_PRODUCT, "attributes", "prices", "compare_at_price", "colour"])
mutations = st.lists(st.one_of(
    st.tuples(st.just("set"), keys, values),
    st.tuples(st.just("delete"), keys, st.none()),
    st.tuples(st.just("duplicate"), keys, st.none()),
    st.tuples(st.just("raw"), st.integers(0, 400), odd_text),
), min_size=1, max_size=4)
target_files = st.sampled_from(["products/zz.yaml", "brands.yaml", "categories.yaml",
                                "attributes.yaml"])


def mutate(text: str, steps: list[tuple]) -> str:
    """Apply each step to a YAML text: set or delete a key, write a key twice, insert text."""
    for action, where, value in steps:
        data = _loaded(text)
        if action == "raw":
            text = text[:where] + value + text[where:]
        elif isinstance(data, dict) and action == "set":
            text = yaml.safe_dump({**data, where: value}, allow_unicode=True)
        elif isinstance(data, dict) and action == "delete":
            text = yaml.safe_dump({k: v for k, v in data.items() if k != where},
                                  allow_unicode=True)
        elif action == "duplicate":
            text += f"{where}: again\n"
        elif isinstance(data, list) and data and action == "set":  # brands, categories…
            text = yaml.safe_dump([{**data[0], where: value}, *data[1:]]
                                  if isinstance(data[0], dict) else [value, *data[1:]],
                                  allow_unicode=True)
    return text


def _loaded(text: str):
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        return None


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(target=target_files, steps=mutations)
def test_mutated_catalog_builds_or_lists_problems(built_shop: Path, target: str,
                                                  steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = shutil.copytree(built_shop, Path(folder) / "shop", symlinks=True)
        (site / "products/zz.yaml").write_text(
            yaml.safe_dump(VALID_PRODUCT, allow_unicode=True), encoding="utf-8")
        before = snapshot(site / "build")
        path = site / target
        path.write_text(mutate(path.read_text(encoding="utf-8"), steps), encoding="utf-8")
        result = build(site)
        event(f"exit {result.exit_code}")
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        if result.exit_code == 1:
            assert result.output.startswith("Error: the catalog has"), result.output
            problems = result.output.splitlines()[1:]
            assert problems and all(_is_problem_line(line) for line in problems), result.output
            assert snapshot(site / "build") == before


def test_broken_brands_file_is_one_problem_not_one_per_product(tiny_site: Path) -> None:
    (tiny_site / "brands.yaml").write_text("acme: Acme\n", encoding="utf-8")
    (tiny_site / "categories.yaml").write_text("- id: Bad Id\n  name: x\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tiny_site, TODAY)
    problems = caught.value.problems
    assert any(p.startswith("brands.yaml:1: expected a list") for p in problems)
    assert any(p.startswith("categories.yaml:1:") for p in problems)
    assert not any("unknown brand" in p or "unknown category" in p for p in problems), problems
