"""Layers point one way: an AST walk over every project module keeps the import rules.

The rules (docs/architecture.md, Layout):

1. ``core`` imports no app: nothing of ``platform/`` (``associations``, ``signup``, ``console``,
   ``config``), ``tenants`` or ``billing``. What it needs of them comes through hooks the apps
   register (``core.tenancy``, ``core.extensions``).
2. A tenant app imports no public-schema app (``associations``, ``signup``, ``console``,
   ``config``).
3. A platform app other than ``config`` (which wires the URL maps) imports no tenant app: it
   learns about them from their declarations.
4. Tenant apps import each other one way: the graph of imports between them has no cycle.
5. A ``tasks`` module never imports a ``services`` module at module level: services import
   tasks (to queue them on commit), tasks call services from inside the task.
6. A ``selectors`` module never imports a ``services`` module, at any level.
7. ``billing.payments`` (members' online payments) is a tenant app that lives under ``billing/``
   (TENANT_APPS): rules 2 and 4 hold for it as for ``tenants.*`` (no public-schema app, and it
   counts in the graph of tenant apps, so the ledger it posts through cannot import it back),
   and it imports none of billing's public-schema code (``billing.plans``: the associations'
   plans).
8. ``billing.plans`` (the associations' plans) is a shared app, in the public schema: it imports
   no tenant app (``tenants.*``, ``billing.payments``), like a platform app (rule 3). What it runs
   inside an association's schema (the board's email) comes through declared hooks
   (``core.extensions.operator_hook``). The one exception is the receipt's QR encoder
   (``tenants.ledger.receipts.qr``: pure functions, no models), which its invoices reuse.

Imports inside functions count (rules 1-4 and 6), so a lazy import is no way around them.
Migrations are left out (they name apps by label, frozen in time).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Folders holding the project's code, and the import prefix of each (``platform/`` is a
#: source root, not a package).
SOURCE_ROOTS = {"core": "core", "tenants": "tenants", "billing": "billing", "platform": ""}
PLATFORM_APPS = frozenset({"associations", "signup", "console", "config"})
PUBLIC_SCHEMA_APPS = PLATFORM_APPS
#: Packages under ``billing/`` that live in each association's schema (rule 7).
TENANT_BILLING = ("billing.payments",)
#: Packages under ``billing/`` in the public schema (rule 8), and the tenant modules they may use.
SHARED_BILLING = ("billing.plans",)
SHARED_BILLING_MAY_USE = frozenset({"tenants.ledger.receipts.qr"})


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module (or module.name), dotted
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT)
    parts = list(relative.with_suffix("").parts)
    if parts[0] == "platform":
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[Import]:
    """Every import in ``source`` (of ``module``), with whether it sits inside a function."""
    tree = ast.parse(source)
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(module, alias.name, child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = module.split(".")
                    if not is_package:
                        package = package[:-1]
                    package = package[: len(package) - (child.level - 1)]
                    base = ".".join([*package, base] if base else package)
                for alias in child.names:
                    target = f"{base}.{alias.name}" if alias.name != "*" else base
                    found.append(Import(module, target, child.lineno, in_function))
            visit(child, inside)

    visit(tree, False)
    return found


def project_imports() -> list[Import]:
    found = []
    for folder in SOURCE_ROOTS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found += imports_of(
                path.read_text(encoding="utf-8"),
                module_name(path),
                is_package=path.name == "__init__.py",
            )
    return found


# -- the rules ------------------------------------------------------------------------------------


def top(name: str) -> str:
    return name.split(".", 1)[0]


def tenant_app(name: str) -> str | None:
    """``tenants.<app>`` (or a tenant-schema ``billing.<app>``) for a module of a tenant app,
    else None."""
    parts = name.split(".")
    if ".".join(parts[:2]) in TENANT_BILLING:
        return ".".join(parts[:2])
    return ".".join(parts[:2]) if parts[0] == "tenants" and len(parts) > 1 else None


def is_kind(name: str, kind: str) -> bool:
    """Whether ``name`` is (inside) a module or package called ``kind`` (``services``...)."""
    return kind in name.split(".")[1:]


def violations(found: list[Import]) -> list[str]:
    problems = []
    for imp in found:
        source, target = imp.module, imp.target
        where = f"{source}:{imp.line} imports {target}"
        if top(source) == "core" and top(target) in PLATFORM_APPS | {"tenants", "billing"}:
            problems.append(f"{where}: core imports no app")
        if (top(source) == "tenants" or tenant_app(source) in TENANT_BILLING) and top(
            target
        ) in PUBLIC_SCHEMA_APPS:
            problems.append(f"{where}: a tenant app imports no public-schema app")
        if (
            tenant_app(source) in TENANT_BILLING
            and top(target) == "billing"
            and tenant_app(target) not in TENANT_BILLING
            and target != "billing"
        ):
            problems.append(f"{where}: a tenant-schema billing app imports no public billing code")
        if (
            ".".join(source.split(".")[:2]) in SHARED_BILLING
            and (top(target) == "tenants" or tenant_app(target) in TENANT_BILLING)
            and not any(
                target == allowed or target.startswith(allowed + ".")
                for allowed in SHARED_BILLING_MAY_USE
            )
        ):
            problems.append(f"{where}: a shared billing app reads tenant apps through hooks")
        if top(source) in PLATFORM_APPS - {"config"} and top(target) == "tenants":
            problems.append(f"{where}: a platform app reads tenant apps through declarations")
        if (
            is_kind(source, "tasks")
            and is_kind(target, "services")
            and not imp.in_function
            and top(target) != "celery"
        ):
            problems.append(f"{where}: tasks call services from inside the task")
        if is_kind(source, "selectors") and is_kind(target, "services"):
            problems.append(f"{where}: selectors never import services")
    problems += cycles(found)
    return problems


def cycles(found: list[Import]) -> list[str]:
    """Cycles in the graph of imports between tenant apps."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        source, target = tenant_app(imp.module), tenant_app(imp.target)
        if source and target and source != target:
            graph.setdefault(source, set()).add(target)
    problems, state = [], {}

    def walk(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                loop = path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt]
                problems.append("tenant apps import each other: " + " → ".join(loop))
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            walk(node, [node])
    return problems


# -- the tests ------------------------------------------------------------------------------------


def test_the_project_keeps_its_layers():
    found = project_imports()
    assert len(found) > 100  # the walk really read the project
    assert violations(found) == []


BAD_MODULES = {
    # (module, source): the rule it breaks
    "core.tasks": "from associations.selectors import ready_associations\n",
    "core.crypto.management.commands.rotate_keys": (
        "def handle():\n    from associations.models import Association\n"
    ),
    "tenants.imports.selectors": (
        "def suspended():\n    from associations.models import Association\n"
    ),
    "console.selectors": "def usage():\n    from tenants.residents.models import Premises\n",
    "tenants.signup_probe.tasks": "from tenants.signup_probe import services\n",
    "tenants.residents.selectors": "from tenants.residents import services\n",
    "tenants.residents.services.owners": "from ..selectors import current\nimport config.celery\n",
    "billing.payments.services": "from associations.models import Association\n",
    "billing.payments.views": "from billing.plans import services\n",
    "billing.plans.tasks": (
        "def warn_board():\n    from tenants.notifications.services import notify_members\n"
    ),
    "billing.plans.services": "from billing.payments.models import OnlinePayment\n",
}


@pytest.mark.parametrize("module", sorted(BAD_MODULES))
def test_the_checker_fails_when_an_arrow_is_reintroduced(module):
    found = imports_of(BAD_MODULES[module], module)
    assert violations(found), f"{module} should break a rule"


def test_the_checker_finds_a_cycle_between_tenant_apps():
    found = imports_of("from tenants.invitations import models\n", "tenants.residents.x")
    found += imports_of(
        "def f():\n    from tenants.residents import models\n", "tenants.invitations.y"
    )
    (problem,) = violations(found)
    assert problem.startswith("tenant apps import each other: ")
    assert "tenants.invitations" in problem and "tenants.residents" in problem


def test_the_checker_counts_tenant_billing_in_the_tenant_graph():
    found = imports_of("from tenants.ledger.payments import services\n", "billing.payments.x")
    found += imports_of("from billing.payments import selectors\n", "tenants.ledger.views")
    (problem,) = violations(found)
    assert "billing.payments" in problem and "tenants.ledger" in problem


def test_the_checker_allows_the_arrows_that_point_the_right_way():
    allowed = (
        ("tenants.imports.services", "from tenants.imports import tasks\n"),
        ("tenants.imports.tasks", "def run():\n    from tenants.imports import services\n"),
        ("tenants.invitations.services", "from tenants.residents.models import Owner\n"),
        ("tenants.residents.services.common", "from tenants.residents.selectors import current\n"),
        ("associations.apps", "from core import tenancy\n"),
        ("config.urls_tenant", "from tenants.portal.urls import api_urlpatterns\n"),
        ("core.tasks", "from core import tenancy\nfrom celery import current_app\n"),
        ("billing.payments.services", "from tenants.ledger.payments import services\n"),
        ("billing.plans.documents", "from tenants.ledger.receipts import qr\n"),
        ("billing.plans.tasks", "def warn():\n    from core.extensions import operator_hook\n"),
    )
    for module, source in allowed:
        assert violations(imports_of(source, module)) == [], module


def test_relative_imports_resolve_inside_the_package():
    (imp,) = imports_of("from . import services\n", "tenants.x.selectors")
    assert imp.target == "tenants.x.services"
    (imp,) = imports_of("from .common import y\n", "tenants.x.services", is_package=True)
    assert imp.target == "tenants.x.services.common.y"
