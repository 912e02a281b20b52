"""The layering rules of DESIGN.md, checked by reading the source with `ast` (nothing is imported).

1. Imports go down only: pages, api, cli -> services -> db, blobs, search, looks, imaging, jobs
   -> core. Each layer has an allow-list of the layers it may import (ALLOWED); the container
   (the composition root) may import anything of the domain.
2. SQLAlchemy, SQLModel, sqlite3 and Alembic only under repo/db/; dialect-specific SQL only in
   its engine, dialect and migration modules. Whoosh only in search_index/.
3. The domain and the index know no screen and no HTTP: no nicegui, fastapi, starlette, typer.
4. Private attributes of other objects (`obj._name`) only in the one module that is allowed to
   touch NiceGUI's internals, whose checked version a test pins.
5. No catch-all utils module; no module over about 400 lines.
"""

from __future__ import annotations

import ast
import re
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
PACKAGES = ('repo', 'search_index', 'pages', 'api', 'cli_client', 'cli_ops')
TOP_FILES = ('main.py', 'cli.py')
MAX_LINES = 420

# Module prefix -> layer, the most specific prefix first.
LAYERS = [
    ('repo.core', 'core'),
    ('repo.config', 'config'),
    ('repo.db', 'db'),
    ('repo.blobs', 'blobs'),
    ('repo.looks', 'looks'),
    ('repo.similarity', 'looks'),
    ('repo.jobs', 'jobs'),
    ('repo.imaging', 'imaging'),
    ('repo.ingest_job', 'imaging'),
    ('repo.autotags', 'imaging'),
    ('repo.worker_pool', 'imaging'),
    ('repo.services', 'services'),
    ('repo.container', 'container'),
    ('repo.library', 'facade'),
    ('repo', 'repo'),
    ('search_index', 'search'),
    ('pages', 'pages'),
    ('api', 'api'),
    ('cli_client', 'cli'),
    ('cli_ops', 'cli'),
    ('cli', 'cli'),
    ('main', 'main'),
]
DOMAIN = {'core', 'config', 'db', 'blobs', 'looks', 'jobs', 'imaging', 'services', 'search'}
ALLOWED = {
    'core': {'core'},
    'config': {'config'},
    'imaging': {'imaging', 'core'},
    'blobs': {'blobs', 'core'},
    'looks': {'looks', 'imaging', 'core'},
    'search': {'search', 'core'},
    'db': {'db', 'core'},
    'jobs': {'jobs', 'db', 'search', 'looks', 'core'},
    'services': {'services', 'db', 'blobs', 'imaging', 'looks', 'jobs', 'search', 'core'},
    'container': DOMAIN | {'container', 'repo'},
    'facade': {'facade', 'container', 'config', 'core'},
    'repo': {'repo'},
    'api': {'api', 'services', 'container', 'config', 'core'},
    'pages': {'pages', 'services', 'container', 'config', 'core'},
    'cli': {'cli', 'services', 'container', 'config', 'core', 'main'},
    'main': {'main', 'api', 'pages', 'container', 'config'},
}
# Third-party packages and where they may be used (a prefix of the importing module).
CONFINED = {
    'sqlalchemy': ('repo.db',),
    'sqlmodel': ('repo.db',),
    'sqlite3': ('repo.db',),
    'alembic': ('repo.db',),
    'psycopg': ('repo.db',),
    'boto3': ('repo.blobs.s3',),
    'botocore': ('repo.blobs.s3',),
    'whoosh': ('search_index',),
    'nicegui': ('pages', 'api', 'main', 'cli'),
    'fastapi': ('pages', 'api', 'main'),
    'starlette': ('pages', 'api', 'main'),
    'typer': ('cli', 'cli_client', 'cli_ops'),
    'swagger_ui': ('api.docs_assets',),  # Swagger UI's files, for /docs without the internet
    'prometheus_client': ('repo.services.metrics',),
    'cryptography': ('repo.blobs',),
}
# Dialect-specific SQL (a Postgres or SQLite dialect, raw PRAGMAs): only in these modules.
DIALECT_MODULES = ('repo.db.engine', 'repo.db.dialect', 'repo.db.migrate', 'repo.db.migrations')
DIALECT_IMPORTS = ('sqlalchemy.dialects',)
RAW_PRAGMA = re.compile(r"""['"]\s*PRAGMA\s""", re.IGNORECASE)
# The modules allowed to read other packages' private attributes, each pinned to the version it
# was checked against: NiceGUI's (a test below) and Whoosh's (== in pyproject.toml).
INTERNALS_MODULES = ('api.nicegui_internals', 'search_index.segments')
PUBLIC_UNDERSCORE = {'_exit', '_asdict', '_replace', '_fields', '_mapping'}  # stdlib API


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


def all_files() -> list[Path]:
    files = [p for package in PACKAGES for p in python_files(package)]
    return files + [ROOT / name for name in TOP_FILES if (ROOT / name).exists()]


def layer_of(module: str) -> str | None:
    for prefix, layer in LAYERS:
        if matches(module, prefix):
            return layer
    return None


def targets(imp: Imported) -> tuple[str, ...]:
    """What an import brings in: `from repo import imaging` is repo.imaging, not repo."""
    return imp.names[1:] if len(imp.names) > 1 else imp.names


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
    modules = {module_name(p) for p in all_files()}
    for package in ('repo.core', 'repo.db', 'repo.blobs', 'repo.services', 'repo.container'):
        assert any(matches(m, package) for m in modules), package
    assert all(layer_of(m) is not None for m in modules), [m for m in modules if not layer_of(m)]
    uow_imports = {n for imp in file_imports(ROOT / 'repo' / 'db' / 'uow.py') for n in imp.names}
    assert any(matches(n, 'sqlmodel') for n in uow_imports)


# ---- the rules -------------------------------------------------------------------------------


def test_imports_go_down_only() -> None:
    broken = []
    for path in all_files():
        module = module_name(path)
        layer = layer_of(module)
        assert layer is not None, module
        for imp in file_imports(path):
            for name in targets(imp):
                target = layer_of(name)
                if target is not None and target not in ALLOWED[layer]:
                    rel = path.relative_to(ROOT)
                    broken.append(f'{rel}:{imp.line} ({layer}) imports {name} ({target})')
    assert not broken, 'An import goes up or sideways:\n' + '\n'.join(broken)


@pytest.mark.parametrize('package', sorted(CONFINED))
def test_third_party_packages_stay_in_their_layer(package: str) -> None:
    broken = []
    for path in all_files():
        module = module_name(path)
        for imp in file_imports(path):
            if any(matches(n, package) for n in imp.names) and not any(
                matches(module, home) for home in CONFINED[package]
            ):
                broken.append(f'{path.relative_to(ROOT)}:{imp.line} imports {package}')
    assert not broken, f'{package} used outside {CONFINED[package]}:\n' + '\n'.join(broken)


def test_dialect_specific_sql_stays_in_the_dialect_modules() -> None:
    broken = []
    for path in all_files():
        module = module_name(path)
        if any(matches(module, home) for home in DIALECT_MODULES):
            continue
        if RAW_PRAGMA.search(path.read_text(encoding='utf-8')):
            broken.append(f'{path.relative_to(ROOT)} runs a PRAGMA')
        for imp in file_imports(path):
            if any(matches(n, d) for d in DIALECT_IMPORTS for n in imp.names):
                broken.append(f'{path.relative_to(ROOT)}:{imp.line} imports {imp.names[0]}')
    assert not broken, 'Dialect-specific SQL outside its modules:\n' + '\n'.join(broken)


def private_attribute_uses(path: Path) -> list[str]:
    """`x._name` for a private name this file does not define itself (dunders and a few
    underscore-named stdlib APIs are fine): someone else's private attribute."""
    tree = ast.parse(path.read_text(encoding='utf-8'))
    defined = {
        n.name
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    } | {
        target.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign | ast.AnnAssign)
        for target in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(target, ast.Attribute)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith('_'):
            continue
        if node.attr.startswith('__') and node.attr.endswith('__'):
            continue
        if node.attr in defined or node.attr in PUBLIC_UNDERSCORE:
            continue
        found.append(f'{path.relative_to(ROOT)}:{node.lineno} uses .{node.attr}')
    return found


def test_private_attributes_of_others_only_in_the_internals_modules() -> None:
    broken = [
        use
        for path in all_files()
        if module_name(path) not in INTERNALS_MODULES
        for use in private_attribute_uses(path)
    ]
    assert not broken, f'Private attributes used outside {INTERNALS_MODULES}:\n' + '\n'.join(broken)


def test_the_internals_module_was_checked_against_this_nicegui() -> None:
    """api/nicegui_internals.py reaches into NiceGUI; it was checked against the version it
    names. After an upgrade, read it against the new NiceGUI and update CHECKED_WITH."""
    import nicegui

    from api import nicegui_internals

    assert nicegui.__version__ == nicegui_internals.CHECKED_WITH


def test_no_module_is_over_the_size_limit() -> None:
    big = [
        f'{p.relative_to(ROOT)} ({n} lines)'
        for p in all_files()
        if (n := len(p.read_text(encoding='utf-8').splitlines())) > MAX_LINES
    ]
    assert not big, 'Split these by job:\n' + '\n'.join(big)


def test_the_facade_stays_thin() -> None:
    lines = len((ROOT / 'repo' / 'library.py').read_text(encoding='utf-8').splitlines())
    assert lines < 150


def test_there_is_no_catch_all_utils_module() -> None:
    found = []
    for path in ROOT.rglob('utils*'):
        if SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            continue
        if path.name == 'utils.py' or (path.name == 'utils' and (path / '__init__.py').exists()):
            found.append(str(path.relative_to(ROOT)))
    assert not found, f'A catch-all utils module exists (name it after what it does): {found}'
