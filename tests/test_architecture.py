"""The arrows between the packages point one way: kinds -> casework -> accounts -> core.

`sscard/` is configuration: it names apps in strings (``include("accounts.urls")``,
settings) but imports none. Every import statement counts, also one inside a function.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Who may import whom among the project's own packages (its top-level folders with an
# __init__.py). A case kind (withdrawals and those to come) is under no rule here: it
# may use everything below it.
RULES = {
    "core": {"core"},
    "sscard": {"sscard", "core"},
    "accounts": {"accounts", "core", "sscard"},
    "casework": {"casework", "accounts", "core", "sscard"},
    "pensions": {"pensions", "casework", "accounts", "core", "sscard"},
    "benefits": {"benefits", "casework", "accounts", "core", "sscard"},
}
# The benchmark data generator lives in bench/; its management command is only the
# entry point that `manage.py` needs.
ENTRY_POINTS = {"accounts/management/commands/generate_population.py": {"bench"}}


def first_party(root=ROOT):
    return {path.parent.name for path in root.glob("*/__init__.py")} | set(RULES)


def imported_modules(path, package):
    """Every module an import statement in `path` names, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                yield node.lineno, package  # a relative import stays in its package
            elif node.module:
                yield node.lineno, node.module


def violations(package, allowed, root=ROOT):
    ours = first_party(root)
    found = []
    for path in sorted((root / package).rglob("*.py")):
        also = ENTRY_POINTS.get(path.relative_to(root).as_posix(), set())
        for line, module in imported_modules(path, package):
            top = module.split(".")[0]
            if top in ours and top not in allowed | also:
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_a_package_imports_only_what_lies_below_it(package):
    assert violations(package, RULES[package]) == []


def test_the_scan_sees_imports_inside_functions_and_from_clauses(tmp_path):
    for name in ("core", "accounts", "withdrawals"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "core" / "a.py").write_text("def f():\n    import accounts.models\n")
    (tmp_path / "accounts" / "b.py").write_text(
        "from withdrawals.selectors import x\nfrom . import c\nimport django\n"
    )
    assert violations("core", RULES["core"], tmp_path) == ["core/a.py:2 imports accounts.models"]
    assert violations("accounts", RULES["accounts"], tmp_path) == [
        "accounts/b.py:1 imports withdrawals.selectors"
    ]


def test_every_rules_version_fits_the_case_column():
    """PostgreSQL refuses a longer string where SQLite would keep it."""
    import importlib

    from casework.models import Case

    width = Case._meta.get_field("rules_version").max_length
    modules = (
        "withdrawals.eligibility",
        "pensions.eligibility",
        "benefits.unemployment_rules",
        "maternity.eligibility",
        "workinjury.eligibility",
        "cards.eligibility",
        "corrections.eligibility",
    )
    for name in modules:
        version = importlib.import_module(name).RULES_VERSION
        assert len(version) <= width, (name, version)
