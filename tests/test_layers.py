"""Imports go one way: a package of app/ imports only the packages of the layers below its
own (docs/architecture.md, "Layers"). Every import counts: at the top of a module, inside a
function, and under `if TYPE_CHECKING:`, since a type named is a dependency too.

A package that must hear from the ones built on it sends a signal (app/signals.py); the
receivers are connected in create_app."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Top first. Packages of one layer do not import each other. `app` is app/__init__.py, the
# factory that wires everything; a top-level module (app/signals.py) counts as a package,
# and app/extensions.py (the Flask extension objects, `db`) is part of the plumbing, core.
LAYERS: list[tuple[str, ...]] = [
    ("app",),
    # The application's own pages and commands, over every domain.
    ("dashboard", "demo", "jobs", "navigation"),
    ("public", "transparency", "admin"),
    ("opendata", "auditlog"),
    # The domains, from the last step of the lifecycle down to the bookkeeping.
    ("committee", "reports", "fund", "roster"),
    ("deployments", "contributions"),
    ("grants",),
    ("applications", "experts"),
    ("ledger", "recommendations"),
    # What every domain builds on: the JSON API's plumbing, accounts, reference data.
    ("api",),
    ("auth",),
    ("reference", "settings"),
    ("core", "signals"),
]
PART_OF = {"extensions": "core"}


def layer_of(package: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS) if package in layer), None)


def package_of(module: str) -> str:
    """`app.grants.models` → `grants`; `app` (the factory) → `app`."""
    parts = module.split(".")
    package = parts[1] if len(parts) > 1 else "app"
    return PART_OF.get(package, package)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(module: str, is_package: bool, tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Every module of app/ that `module` imports, wherever the import stands."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base, node.lineno
            if base == "app":  # `from app import signals`
                for alias in node.names:
                    yield f"app.{alias.name}", node.lineno


def violations(root: Path) -> list[str]:
    """Each import of a package from a layer that is not below the importer's."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        package = package_of(module)
        own = layer_of(package)
        where = path.relative_to(root.parent).as_posix()
        if own is None:
            found.append(f"{where}: package {package!r} is in no layer")
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for target, line in imported(module, path.name == "__init__.py", tree):
            if target != "app" and not target.startswith("app."):
                continue
            other = package_of(target)
            if other == package or other == "app":
                continue
            theirs = layer_of(other)
            if theirs is None or theirs <= own:
                found.append(f"{where}:{line}: {package} imports {other}")
    return found


def test_packages_import_only_the_layers_below_their_own():
    assert violations(APP) == []


def test_every_package_of_the_app_has_its_layer():
    packages = {p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in APP.glob("*.py") if p.name != "__init__.py"}
    placed = {package for layer in LAYERS for package in layer} | set(PART_OF)
    assert packages | modules | {"app"} == placed


def write(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / "app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    for folder in [root / "app", *(p for p in (root / "app").rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return root / "app"


def test_a_back_import_is_caught_wherever_it_is_written(tmp_path):
    app = write(
        tmp_path,
        {
            "core/money.py": "import decimal\n",
            "ledger/postings.py": "from app.core import money\nfrom . import checks\n",
            "ledger/checks.py": "",
            "grants/services.py": "from app.ledger import postings\nfrom app import signals\n",
            "signals.py": "",
        },
    )
    assert violations(app) == []

    (app / "ledger" / "queries.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from app.grants.models import Grant\n"
        "def total():\n"
        "    from app.grants import services\n"
        "    import app.grants.services\n"
    )
    (app / "core" / "web.py").write_text("from ..auth import models\n")
    assert violations(app) == [
        "app/core/web.py:1: core imports auth",
        "app/ledger/queries.py:3: ledger imports grants",
        "app/ledger/queries.py:5: ledger imports grants",
        "app/ledger/queries.py:6: ledger imports grants",
    ]


def test_packages_of_one_layer_stay_apart_and_a_new_package_needs_its_layer(tmp_path):
    app = write(
        tmp_path,
        {
            "committee/ballots.py": "from app.reports import services\n",
            "reports/services.py": "",
            "helpdesk/views.py": "from app.core import web\n",
            "core/web.py": "",
        },
    )
    assert violations(app) == [
        "app/committee/ballots.py:1: committee imports reports",
        "app/helpdesk/__init__.py: package 'helpdesk' is in no layer",
        "app/helpdesk/views.py: package 'helpdesk' is in no layer",
    ]
