"""The entity tables the operations look at, by entity name."""

from sqlalchemy import Table

from ..infrastructure.orm.models import ENTITY_MODELS
from ..infrastructure.orm.stamps import table_of


class UnknownEntity(ValueError):
    """An entity name that is not one of the service's entities."""


def entity_tables(names: list[str] | None = None) -> dict[str, Table]:
    """The tables of the entities ``names`` (all entities when None), in declaration order.

    Raises :class:`UnknownEntity`, naming the value and the known entities, for
    a name that is not an entity of the service.
    """
    tables = {model.__name__.removesuffix("Model"): table_of(model) for model in ENTITY_MODELS}
    if names is None:
        return tables
    unknown = [name for name in names if name not in tables]
    if unknown:
        raise UnknownEntity(
            f"{unknown[0]!r} is not an entity of this service; the entities are "
            + ", ".join(tables)
        )
    return {name: tables[name] for name in tables if name in names}
