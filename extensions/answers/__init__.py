"""The answers of copier-ddd-service: validated, then worked out for the templates.

Modules, by job: ``model`` (the parsed answers), ``parse_fields`` and
``parse_entities`` (the rules of the ``entities`` answer), ``questions`` (the
other questions), ``given`` (the answers given on the command line, checked
before Copier takes them), ``naming``, ``reserved`` (names the generated code
uses, declared), ``references`` (the reference graph), ``field_types`` (one
registry entry per field type), ``defaults``, ``samples``, ``doc_examples`` (the
values of the docs' examples), ``imports``, ``python_source`` (how generated code
is laid out), ``specs`` (what the templates iterate over) and ``parsed`` (the
``entities`` answer parsed once per render, and its specs built once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import doc_examples, given, parsed, python_source, questions, specs


def entity_errors(value: Any) -> str:
    """Validator message for ``entities`` ("" when valid)."""
    return parsed.answer(value).error


def entity_specs(value: Any) -> list[dict[str, Any]]:
    """The entity specs the templates iterate over (AnswerError when the answer is invalid)."""
    return parsed.answer(value).specs()


def http_path_errors(value: Any) -> str:
    """Validator message for ``interface: fastapi`` ("" when every entity has a path of its own).

    Entities that break their own rules are the ``entities`` question's to report.
    """
    if entity_errors(value):
        return ""
    served: dict[str, str] = {}
    for spec in entity_specs(value):
        other = served.setdefault(spec["http_path"], spec["name"])
        if other != spec["name"]:
            return (
                f"interface: entities {other} and {spec['name']} would both be served at "
                f"{spec['http_path']}; rename one of them"
            )
    return ""


def filters() -> dict[str, Callable[..., Any]]:
    """The Jinja filters the questions and templates use, by name."""
    return {
        "given_answer_checked": given.checked,
        "entity_errors": entity_errors,
        "entity_specs": entity_specs,
        "http_path_errors": http_path_errors,
        "project_name_error": questions.project_name_error,
        "package_name_default": questions.package_name_default,
        "package_name_error": questions.package_name_error,
        "one_line_error": questions.one_line_error,
        "author_email_error": questions.author_email_error,
        "py_str": python_source.py_str,
        "py_ascii_str": python_source.py_ascii_str,
        "toml_str": python_source.py_str,
        "allowed_confusables": python_source.allowed_confusables,
        "fit": python_source.fit,
        "docstring": python_source.docstring,
        "comment": python_source.comment,
        "model_imports": specs.model_imports,
        "backfill_imports": specs.backfill_imports,
        "sample": doc_examples.sample,
        "sample_imports": doc_examples.sample_imports,
        "doc_parents": doc_examples.doc_parents,
    }
