"""The ``entities`` answer, parsed: what each entity and field declares.

``parse_fields.py`` and ``parse_entities.py`` build these from the raw YAML and
refuse what breaks a rule; ``specs.py`` turns them into what the templates use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .naming import snake_case

ENTITY_KEYS = frozenset(
    {
        "name",
        "description",
        "fields",
        "indexes",
        "existing_table",
        "legacy_created_at",
        "legacy_triggers",
        "history",
        "actor_columns",
        "require_actor",
    }
)
# The columns ``actor_columns: true`` adds: who created the row, who changed it last.
ACTOR_COLUMNS = ("created_by", "updated_by")
# Their VARCHAR length: an actor's limit (application/actor.py).
ACTOR_LIMIT = 200
# The columns a history table has besides the entity's (``history: true``).
HISTORY_COLUMNS = ("history_id", "history_change", "history_actor", "history_fields")
# The characters of its VARCHAR columns: history_change (20) and history_actor (200).
HISTORY_VARCHARS = 220
INDEX_KEYS = frozenset({"fields", "unique"})
FIELD_KEYS = frozenset(
    {
        "name",
        "type",
        "max_length",
        "nullable",
        "default",
        "unique",
        "to",
        "touch",
        "choices",
        "index",
        "on_delete",
        "sensitive",
    }
)
# ref only: what the database does to a row when the row it references is deleted
# (``on_delete``), and the foreign key's ON DELETE action that does it. restrict is
# the foreign key without one (NO ACTION, SQL's default): not deferred, it refuses the
# delete at the end of the statement on every backend, as the references of earlier
# releases, whose migrations and models write no action, do.
ON_DELETE_ACTIONS = {"restrict": None, "cascade": "CASCADE", "set_null": "SET NULL"}
DEFAULT_ON_DELETE = "restrict"


@dataclass
class Field:
    """One declared field."""

    name: str
    type: str
    nullable: bool = False
    unique: bool = False
    # An index of its own (``index: true``); a ref field's index is implied.
    indexed: bool = False
    # str only: the VARCHAR length.
    max_length: int | None = None
    # Python source of the default ("None" for null), or None when there is none.
    default: str | None = None
    # ref only: the referenced entity, whether saving touches it, and what deleting
    # it does to this row (a key of ON_DELETE_ACTIONS).
    to: str | None = None
    touch: bool = False
    on_delete: str | None = None
    # enum only: the values the field accepts, in declaration order.
    choices: list[str] | None = None
    # ref only: the table of the referenced entity (set once every entity is parsed).
    ref_table: str | None = None
    # Audit logs never show its values (``sensitive: true``, or a secret-like name).
    sensitive: bool = False


@dataclass
class CompositeIndex:
    """An index (or unique constraint) over several fields, in the declared order."""

    fields: list[str]
    unique: bool = False


@dataclass
class Entity:
    """One declared entity."""

    name: str
    description: str
    fields: list[Field] = field(default_factory=list)
    indexes: list[CompositeIndex] = field(default_factory=list)
    # An existing table the entity adopts (``existing_table``), with the legacy column
    # its created_at is taken from and the legacy triggers its migration drops.
    existing_table: str | None = None
    legacy_created_at: str | None = None
    legacy_triggers: list[str] = field(default_factory=list)
    # ``history: true``: every change of a row is kept in the history table.
    history: bool = False
    # ``actor_columns: true``: created_by and updated_by.
    actor_columns: bool = False
    # ``require_actor: true``: a write of its rows with no one acting is refused.
    require_actor: bool = False

    @property
    def snake(self) -> str:
        return snake_case(self.name)

    @property
    def table(self) -> str:
        """The entity's table: the adopted one, or the snake_case name."""
        return self.existing_table or self.snake

    @property
    def history_table(self) -> str:
        """Where the rows' history is kept (``history: true``): ``<snake_case name>_history``."""
        return f"{self.snake}_history"

    @property
    def references(self) -> list[Field]:
        return [item for item in self.fields if item.to]
