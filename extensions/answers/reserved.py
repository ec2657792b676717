"""Names the generated code already uses, declared once; answers cannot take them.

- ``ENTITY_FILES``: the files generated for one entity (``{snake}`` its module
  name); ``FIXED_FILES``: the files of every service one of those could be. An
  entity whose file would be a fixed file is refused.
- ``ENTITY_CLASS_SUFFIXES``: the classes generated for one entity (``Task``,
  ``TaskModel``, ...).
- ``class_names()``: the names imported or defined in the per-entity modules; an
  entity class of the same name would clash there.
- ``FIELD_NAMES``: the attributes of the entity and model base classes.
- ``shadowing_names()``: lower-case names the per-entity modules use in class
  bodies and signatures; a field of that name would shadow them.

The names of the field types (``field_types.py``) and of the imports the code
generator writes (``imports.py``) are added from there. The lists are read at
render time, never the template: ``tests/test_reserved_names.py`` generates a
service and checks that they cover every name its code uses, and that every
declared file and class is one it has.
"""

from __future__ import annotations

from .field_types import FIELD_TYPES
from .imports import CLASS_VAR, DATACLASS, FIXED_IMPORTS, VALUE_NAMES
from .naming import PASCAL_CASE, SNAKE_CASE

# The package directory is written ``<package>``; files only ``interface: fastapi``
# generates count too: a name is reserved when any service uses it.
ENTITY_FILES = (
    "docs/entities/{snake}.md",
    "src/<package>/application/{snake}_service.py",
    "src/<package>/domain/{snake}.py",
    "src/<package>/domain/{snake}_fields.py",
    "src/<package>/infrastructure/orm/{snake}_model.py",
    "src/<package>/infrastructure/repositories/{snake}_repository.py",
    "src/<package>/interface/http/{snake}_routes.py",
    "tests/factories/{snake}.py",
    "tests/http/test_{snake}_http.py",
    "tests/integration/test_{snake}_repository.py",
    "tests/unit/test_{snake}.py",
    "tests/unit/test_{snake}_in_memory.py",
)
FIXED_FILES = frozenset(
    {
        "src/<package>/application/entity_service.py",
        "src/<package>/domain/base_entity.py",
        "src/<package>/domain/changes.py",
        "src/<package>/domain/clock.py",
        "src/<package>/domain/events.py",
        "src/<package>/domain/exceptions.py",
        "src/<package>/domain/history.py",
        "src/<package>/domain/limits.py",
        "src/<package>/domain/paging.py",
        "src/<package>/domain/touching.py",
        "src/<package>/domain/validation.py",
        "src/<package>/infrastructure/orm/entity_model.py",
        "src/<package>/infrastructure/orm/outbox_model.py",
        "src/<package>/infrastructure/repositories/timestamp_repository.py",
        "tests/unit/test_clock.py",
        "tests/unit/test_database_configuration.py",
        "tests/unit/test_unit_of_work.py",
    }
)
ENTITY_CLASS_SUFFIXES = ("", "Fields", "Model", "Repository", "Service", "Updated")
# PascalCase names the per-entity modules (and the team's services, which import the
# first entity) import or define, besides the field types' and the generator's imports.
CLASS_NAMES = frozenset(
    {
        "BaseTimestampEntity",
        "CHANGES",
        "ChoicesContract",
        "EntityContract",
        "EntityService",
        "FieldRules",
        "FieldShape",
        "FieldUpdated",
        "HostileTextContract",
        "HttpContract",
        "InMemoryReferences",
        "Mapped",
        "OnDeleteCascadeContract",
        "OnDeleteParent",
        "OnDeleteRestrictContract",
        "OnDeleteSetNullContract",
        "ParentTouchContract",
        "ReadContract",
        "ReferenceReadContract",
        "ReferencedDeleteContract",
        "RepositoryBehaviourContract",
        "RepositoryContract",
        "ServiceContract",
        "Session",
        "StoredReferences",
        "TeamService",
        "TimestampHealthContract",
        "TimestampRepositoryMixin",
        "UnitOfWork",
        "ValueContract",
    }
)
# Attributes of the entity and model base classes (BaseTimestampEntity, EntityModel,
# TimestampMixin, Base), and of SQLAlchemy's DeclarativeBase and every class.
FIELD_NAMES = frozenset(
    {
        "actor_required",
        "cache_version",
        "created_at",
        "entity_name",
        "field_names",
        "from_stored",
        "get_age_seconds",
        "get_events",
        "get_time_since_update_seconds",
        "history_table_name",
        "id",
        "is_newer_than",
        "metadata",
        "mro",
        "registry",
        "sensitive_fields",
        "touch",
        "touched_parents",
        "updated_at",
        "updated_event",
        "version",
    }
)
# Lower-case names the fields and model modules import or read in their class
# bodies, besides the field types' and the generator's imports.
SHADOWING_NAMES = frozenset({"mapped_column", "self", "timedelta"})


def entity_paths(snake: str) -> list[str]:
    """The files generated for the entity whose module name is ``snake``."""
    return [pattern.replace("{snake}", snake) for pattern in ENTITY_FILES]


def entity_classes(name: str) -> list[str]:
    """The classes generated for the entity ``name``: ``Task``, ``TaskModel``, ..."""
    return [name + suffix for suffix in ENTITY_CLASS_SUFFIXES]


def _value_names() -> set[str]:
    """The names the generated values use: the field types' and the standard library's."""
    return {t.python for t in FIELD_TYPES.values()} | {name for _, name, _ in VALUE_NAMES}


def class_names() -> frozenset[str]:
    """Names the per-entity modules import or define that an entity class could take."""
    names = (
        CLASS_NAMES
        | _value_names()
        | {name for _, name in FIXED_IMPORTS}
        | {t.column_import for t in FIELD_TYPES.values() if t.column_import}
    )
    return frozenset(name for name in names if PASCAL_CASE.fullmatch(name))


def shadowing_names() -> frozenset[str]:
    """Lower-case names a field would shadow in the body of its ``<Entity>Fields`` or
    ``<Entity>Model`` class."""
    names = SHADOWING_NAMES | _value_names() | {name for _, name in (DATACLASS, CLASS_VAR)}
    return frozenset(name for name in names if SNAKE_CASE.fullmatch(name))
