"""The reference graph: every ``to`` names another declared entity, and there is no cycle.

Also which repositories the generated test of a referencing entity imports.
"""

from __future__ import annotations

from .errors import AnswerError
from .model import Entity
from .naming import snake_case


def check_references(entities: list[Entity]) -> None:
    """Refuse a reference to an unknown entity or to itself, and reference cycles."""
    names = {entity.name for entity in entities}
    graph: dict[str, list[str]] = {}
    for entity in entities:
        for field in entity.references:
            where = f"entity {entity.name!r}, field {field.name!r}"
            if field.to == entity.name:
                raise AnswerError(f"{where}: to {field.to!r}: an entity cannot reference itself")
            if field.to not in names:
                raise AnswerError(
                    f"{where}: to {field.to!r} is not a declared entity; declared are "
                    f"{', '.join(sorted(names))}"
                )
        graph[entity.name] = [field.to for field in entity.references if field.to]
    cycle = find_cycle(graph)
    if cycle:
        raise AnswerError(
            f"the references {' -> '.join(cycle)} form a cycle: no order of migrations can "
            "create these tables; drop one of the references"
        )


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A path that returns to its start, following the edges of ``graph``; None if none."""
    path: list[str] = []
    finished: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in finished:
            return None
        if node in path:
            return [*path[path.index(node) :], node]
        path.append(node)
        for successor in graph.get(node, []):
            cycle = visit(successor)
            if cycle:
                return cycle
        path.pop()
        finished.add(node)
        return None

    for node in graph:
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def referenced_tables(entity: Entity) -> list[tuple[str, str]]:
    """(table, entity name) of each entity ``entity`` references, once each, by module name."""
    pairs = {(f.ref_table, f.to) for f in entity.references if f.ref_table and f.to}
    return sorted(pairs, key=lambda pair: snake_case(pair[1]))


def repositories_tested_with(entity: Entity) -> list[tuple[str, str]]:
    """(module stem, entity name) of the repositories ``entity``'s repository test imports.

    Its own and those of the entities it references, in the order isort wants.
    """
    pairs = {
        (entity.snake, entity.name),
        *((snake_case(n), n) for _, n in referenced_tables(entity)),
    }
    return sorted(pairs, key=lambda pair: f"{pair[0]}_repository")
