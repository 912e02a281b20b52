"""The layering rules of DESIGN.md, checked by reading the source with `ast` (nothing is imported).

- repo/ is the UI-free domain: no nicegui, fastapi, starlette or typer, and nothing from the layers
  above it (pages, api, cli, main).
- pages/ and api/ talk to the Library only: no SQL, no Whoosh, no blob files, no index glue, and
  no ORM table classes from repo.models (the *Public schemas are fine).
- search_index/ is a derived cache with no UI and no database of its own.
- No catch-all utils module anywhere.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {
    '.venv',
    'venv',
    '.git',
    'data',
    '__pycache__',
    '.pytest_cache',
    '.ruff_cache',
    '.mypy_cache',
    'node_modules',
    'build',
    'dist',
}

UI = ('nicegui', 'fastapi', 'starlette', 'typer')
STORAGE = ('sqlmodel', 'sqlalchemy', 'sqlite3', 'whoosh')


@dataclass(frozen=True)
class Rule:
    package: str
    forbidden: tuple[str, ...]
    why: str


RULES = [
    Rule('repo', (*UI, 'pages', 'api', 'cli', 'main'), 'repo/ is the UI-free domain layer'),
    Rule(
        'pages',
        (*STORAGE, 'search_index', 'repo.db', 'repo.storage', 'repo.indexing'),
        'pages/ talk to Library only',
    ),
    Rule(
        'api',
        (*STORAGE, 'search_index', 'repo.db', 'repo.storage', 'repo.indexing'),
        'api/ talks to Library only',
    ),
    Rule('search_index', (*UI, 'sqlmodel', 'sqlalchemy'), 'search_index/ is UI- and SQL-free'),
]


@dataclass(frozen=True)
class Imported:
    line: int
    names: tuple[str, ...]  # the module and, for `from m import x`, also `m.x`


def python_files(package: str) -> list[Path]:
    folder = ROOT / package
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob('*.py') if not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def imports_of(source: str, module: str, is_package: bool = False) -> Iterator[Imported]:
    """Every import statement in the source, anywhere (also inside functions), made absolute."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield Imported(node.lineno, tuple(alias.name for alias in node.names))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split('.') if is_package else module.split('.')[:-1]
                keep = len(package) - (node.level - 1)
                base = '.'.join(package[: max(keep, 0)])
                target = '.'.join(p for p in (base, node.module or '') if p)
            else:
                target = node.module or ''
            names = [target] + [f'{target}.{a.name}' for a in node.names if a.name != '*']
            yield Imported(node.lineno, tuple(n for n in names if n))


def matches(name: str, forbidden: str) -> bool:
    return name == forbidden or name.startswith(forbidden + '.')


def file_imports(path: Path) -> list[Imported]:
    return list(
        imports_of(path.read_text(encoding='utf-8'), module_name(path), path.name == '__init__.py')
    )


def violations(rule: Rule) -> list[str]:
    found = []
    for path in python_files(rule.package):
        for imp in file_imports(path):
            bad = sorted({f for f in rule.forbidden for n in imp.names if matches(n, f)})
            for forbidden in bad:
                rel = path.relative_to(ROOT)
                found.append(f'{rel}:{imp.line} imports {forbidden} ({rule.why})')
    return found


# ---- the checker itself must be able to see imports -------------------------------------------


def test_the_import_reader_sees_every_kind_of_import() -> None:
    source = '\n'.join(
        [
            'import os, sqlmodel.sql as sql',
            'from sqlalchemy import select',
            'from repo import storage',
            'from . import db',
            'from .indexing import OutboxReader',
            'def later():',
            '    import whoosh.index',
        ]
    )
    names = {n for imp in imports_of(source, 'repo.library') for n in imp.names}
    assert {'os', 'sqlmodel.sql', 'sqlalchemy', 'repo.storage', 'repo.db'} <= names
    assert {'repo.indexing', 'repo.indexing.OutboxReader', 'whoosh.index'} <= names
    # In a package's __init__, `from . import x` means the package itself.
    names = {n for imp in imports_of('from . import home', 'pages', True) for n in imp.names}
    assert 'pages.home' in names
    assert matches('sqlalchemy.orm', 'sqlalchemy')
    assert not matches('repo.dbx', 'repo.db')


def test_the_checked_layers_exist_and_are_read() -> None:
    """Guards against a rule passing only because it found no files."""
    repo_files = {p.name for p in python_files('repo')}
    assert {'library.py', 'config.py'} <= repo_files
    library_imports = {n for imp in file_imports(ROOT / 'repo' / 'library.py') for n in imp.names}
    assert any(matches(n, 'sqlmodel') for n in library_imports)


# ---- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize('rule', RULES, ids=[r.package for r in RULES])
def test_layer_imports_stay_inside_their_boundary(rule: Rule) -> None:
    broken = violations(rule)
    assert not broken, 'Layer boundary broken:\n' + '\n'.join(broken)


def orm_tables() -> set[str]:
    """Names of the classes in repo/models.py declared with `table=True`."""
    tree = ast.parse((ROOT / 'repo' / 'models.py').read_text(encoding='utf-8'))
    tables = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for kw in node.keywords:
                if kw.arg == 'table' and isinstance(kw.value, ast.Constant) and kw.value.value:
                    tables.add(node.name)
    return tables


def test_models_declare_tables() -> None:
    assert {'User', 'Image'} <= orm_tables()


@pytest.mark.parametrize('package', ['pages', 'api'])
def test_pages_and_api_never_import_orm_tables(package: str) -> None:
    """They get *Public models from the Library, never live ORM rows."""
    tables = {f'repo.models.{name}' for name in orm_tables()}
    broken = [
        f'{path.relative_to(ROOT)}:{imp.line} imports the table {name.rsplit(".", 1)[1]} '
        f'(use the *Public schema from the Library instead)'
        for path in python_files(package)
        for imp in file_imports(path)
        for name in imp.names
        if name in tables
    ]
    assert not broken, 'ORM tables used outside repo/:\n' + '\n'.join(broken)


def test_there_is_no_catch_all_utils_module() -> None:
    found = []
    for path in ROOT.rglob('utils*'):
        if SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            continue
        if path.name == 'utils.py' or (path.name == 'utils' and (path / '__init__.py').exists()):
            found.append(str(path.relative_to(ROOT)))
    assert not found, f'A catch-all utils module exists (name it after what it does): {found}'
