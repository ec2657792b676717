"""Names the generated code already uses, read from the template itself (never a copy).

- ``entity_paths``: the files generated for one entity, and the fixed files beside
  them; an entity whose file would be another file is refused.
- ``entity_classes``: the classes generated for one entity (``Task``, ``TaskModel``, ...).
- ``class_names``: the names imported or defined in the per-entity modules; an
  entity class of the same name would clash there.
- ``field_names``: the attributes of the entity and model base classes.
- ``shadowing_names``: lower-case names the per-entity modules use in class bodies
  and signatures; a field of that name would shadow them.

``tests/test_reserved_names.py`` checks these against a generated service.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from .field_types import FIELD_TYPES
from .imports import CLASS_VAR, DATACLASS, FIXED_IMPORTS, VALUE_NAMES
from .naming import PASCAL_CASE, SNAKE_CASE

TEMPLATE = Path(__file__).resolve().parents[2] / "template"
PACKAGE = TEMPLATE / "src" / "{{package_name}}"
YIELD = re.compile(r"\{% yield entity from entity_specs %\}(.*?)\{% endyield %\}")
# The base classes every entity and model derives from, as (module, class).
BASE_CLASSES = [
    ("domain/base_entity.py", "BaseTimestampEntity"),
    ("infrastructure/orm/entity_model.py", "EntityModel"),
    ("infrastructure/orm/timestamp_mixin.py", "TimestampMixin"),
    ("infrastructure/orm/base.py", "Base"),
]
# Attributes of SQLAlchemy's DeclarativeBase and of every class, which the base
# classes inherit without naming them.
LIBRARY_ATTRIBUTES = frozenset({"registry", "mro"})
# Every generated method's first parameter.
PARAMETERS = frozenset({"self"})
IMPORT = re.compile(r"^(?:from\s+\S+\s+)?import\s+(?:\(([^()]*)\)|(.*)$)", re.MULTILINE)
CLASS = re.compile(r"^class\s+(\w+)(?=[(:])", re.MULTILINE)
ASSIGNED = re.compile(r"^(\w+)\s*(?::[^=\n]*)?=", re.MULTILINE)
JINJA_STATEMENT = re.compile(r"\{%.*?%\}")
# A path part generated for some answers only: ``{% if interface == 'fastapi' %}http{% endif %}``.
CONDITIONAL = re.compile(r"\{% if [^%]*%\}(.*?)\{% endif %\}")


def _relative(path: Path) -> str:
    """``path`` as in a generated service, the package directory written ``<package>``.

    Files that only some answers generate (``{% if interface == ... %}``) count
    as generated: a name is reserved when any service uses it.
    """
    relative = path.relative_to(TEMPLATE).as_posix().removesuffix(".jinja")
    return CONDITIONAL.sub(r"\1", relative).replace("{{package_name}}", "<package>")


@cache
def _files() -> tuple[list[str], list[str]]:
    """(per-entity path patterns with ``{snake}``, paths of every other file)."""
    patterns, fixed = [], []
    for path in sorted(TEMPLATE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = _relative(path)
        if "{% yield entity" in relative:
            patterns.append(YIELD.sub(lambda m: m.group(1), relative))
        elif "{% yield" not in relative:
            fixed.append(relative)
    return patterns, fixed


def entity_paths(snake: str) -> list[str]:
    """The files generated for the entity whose module name is ``snake``."""
    return [pattern.replace("{{ entity.snake }}", snake) for pattern in _files()[0]]


def fixed_paths() -> frozenset[str]:
    """The files every service has whatever its entities."""
    return frozenset(_files()[1])


@cache
def _entity_templates() -> str:
    """The text of every per-entity template, and of the other modules importing entities."""
    paths = [p for p in TEMPLATE.rglob("*.py.jinja") if "{% yield entity" in str(p)]
    paths.append(PACKAGE / "infrastructure" / "orm" / "models.py.jinja")
    # The team's services, as the template first writes them, import the first entity.
    paths.append(PACKAGE / "application" / "team_services.py.jinja")
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(paths))


def entity_classes(name: str) -> list[str]:
    """The classes generated for the entity ``name``: ``Task``, ``TaskModel``, ..."""
    suffixes = sorted(set(re.findall(r"class \{\{ entity\.name \}\}(\w*)", _entity_templates())))
    return [name + suffix for suffix in suffixes]


def _imported_names(text: str) -> set[str]:
    names: set[str] = set()
    for match in IMPORT.finditer(JINJA_STATEMENT.sub("", text)):
        for part in (match.group(1) or match.group(2)).split(","):
            words = part.split()
            if words and "{" not in part:
                names.add(words[-1])
    return names


def _fixed_imports() -> set[str]:
    return (
        {name for _, name in FIXED_IMPORTS}
        | {name for _, name, _ in VALUE_NAMES}
        | {t.python for t in FIELD_TYPES.values()}
        | {t.column_import for t in FIELD_TYPES.values() if t.column_import}
    )


@cache
def class_names() -> frozenset[str]:
    """Names the per-entity modules import or define that an entity class could take."""
    text = _entity_templates()
    defined = set(CLASS.findall(text)) | set(ASSIGNED.findall(text))
    names = _imported_names(text) | defined | _fixed_imports()
    return frozenset(name for name in names if PASCAL_CASE.fullmatch(name))


@cache
def field_names() -> frozenset[str]:
    """Attributes every entity and model already has: a field cannot take them."""
    names = set(LIBRARY_ATTRIBUTES)
    for module, class_name in BASE_CLASSES:
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                names |= _class_body_names(node)
    return frozenset(name for name in names if SNAKE_CASE.fullmatch(name))


def _class_body_names(node: ast.ClassDef) -> set[str]:
    names: set[str] = set()
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
        elif isinstance(statement, ast.Assign):
            names |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
    return names


@cache
def shadowing_names() -> frozenset[str]:
    """Lower-case names the modules declaring the fields as class attributes use.

    A field is a class attribute of ``<Entity>Fields`` and ``<Entity>Model``; one
    named like a name those modules import would shadow it in the class body.
    """
    paths = [
        path
        for path in TEMPLATE.rglob("*.py.jinja")
        if re.search(r"_(fields|model)\{% endyield", str(path))
    ]
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(paths))
    names = (
        _imported_names(text)
        | {name for _, name in (DATACLASS, CLASS_VAR)}
        | {name for _, name, _ in VALUE_NAMES}
        | {t.python for t in FIELD_TYPES.values()}
        | PARAMETERS
    )
    return frozenset(name for name in names if SNAKE_CASE.fullmatch(name))
