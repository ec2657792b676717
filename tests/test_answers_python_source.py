"""python_source: generated lines fit 100 columns the way ruff format leaves them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from extension_modules import imports
from extension_modules import python_source as source


def test_a_call_that_fits_stays_on_one_line() -> None:
    line = '        sa.Column("title", sa.String(length=200), nullable=False),'
    assert source.fit(line) == line


def test_a_long_call_is_exploded_one_argument_a_line_with_a_trailing_comma() -> None:
    line = "    x" * 10 + ' = mapped_column(String(200), ForeignKey("project.id"), index=True)'
    fitted = source.fit(line)
    assert fitted.splitlines()[1:] == [
        "        String(200),",
        '        ForeignKey("project.id"),',
        "        index=True,",
        "    )",
    ]
    assert all(len(part) <= source.LINE_LENGTH for part in fitted.splitlines())


def test_commas_inside_strings_and_brackets_do_not_split_arguments() -> None:
    assert source.split_arguments('"a, b", f(1, 2), [3, 4]') == ['"a, b"', "f(1, 2)", "[3, 4]"]


def test_a_long_from_import_is_parenthesised() -> None:
    line = "from .validation import " + ", ".join(f"require_{n}" * 2 for n in "abcdefg")
    fitted = source.fit(line)
    assert fitted.startswith("from .validation import (\n    require_a")
    assert fitted.endswith(",\n)")


def test_a_long_docstring_wraps_between_words_and_closes_on_its_own_line() -> None:
    text = "Set ``" + "a" * 40 + "``, move ``updated_at`` and record " + "B" * 40 + "Updated."
    lines = source.docstring(text, 8).splitlines()
    assert lines[0].startswith('        """Set')
    assert lines[-1] == '        """'
    assert all(source.width(line) <= source.LINE_LENGTH for line in lines)


def test_a_short_docstring_stays_on_one_line() -> None:
    assert source.docstring("Saves tasks.", 4) == '    """Saves tasks."""'


def test_wide_characters_count_two_columns() -> None:
    assert source.width("ab") == 2
    assert source.width("😀") == 2


def test_a_long_string_constant_is_split_into_pieces_that_join_to_the_text() -> None:
    text = "Lorem ipsum dolor sit amet 😀, " * 8 + '"quoted" and \\ backslash'
    constant = source.string_constant("NOTE_DEFAULT", text)
    assert all(source.width(line) <= source.LINE_LENGTH for line in constant.splitlines())
    tree = ast.parse(constant)
    value = tree.body[0].value  # type: ignore[attr-defined]
    assert ast.literal_eval(value) == text


def test_laid_out_source_is_left_alone_by_ruff_format(tmp_path: Path) -> None:
    module = "\n".join(
        [
            source.docstring("A module about " + "things " * 30),
            "",
            source.string_constant("TEXT_DEFAULT", "word " * 60),
            source.fit("VALUE = dict(" + ", ".join(f"key_{n}={n}" for n in range(20)) + ")"),
            "",
        ]
    )
    path = tmp_path / "module.py"
    path.write_text(module)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--line-length", "100", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_imports_group_by_module_in_isort_order() -> None:
    pairs = {("uuid", "UUID"), ("datetime", "date"), ("datetime", "UTC"), ("uuid", "uuid4")}
    assert source.python_imports(pairs) == [
        "from datetime import UTC, date",
        "from uuid import UUID, uuid4",
    ]


def test_names_used_by_finds_the_standard_library_calls_in_sources() -> None:
    used = imports.names_used_by(["datetime(2024, 1, 1, tzinfo=UTC)", 'Decimal("1")'])
    assert set(used) == {("datetime", "UTC"), ("datetime", "datetime"), ("decimal", "Decimal")}


def test_a_one_line_docstring_just_too_long_for_its_quotes_takes_two_lines() -> None:
    text = (
        "ORM model of the ``item_customer_price_at`` table, where ItemCustomerPriceAt entities are "
    )
    text += "stored."
    assert len(f'"""{text}"""') > source.LINE_LENGTH >= len(f'"""{text}')
    lines = source.docstring(text).splitlines()
    assert lines == [f'"""{text.removesuffix(" stored.")}', "stored.", '"""']


def test_an_assignment_whose_call_cannot_start_on_its_line_gets_parentheses() -> None:
    name = "at_customer_at_invoice_on_line"
    line = f"    {name} = {name}_factory.new_{name}(**{name}_factory.store_references(session))"
    assert source.fit(line).splitlines() == [
        f"    {name} = (",
        f"        {name}_factory.new_{name}(",
        f"            **{name}_factory.store_references(session),",
        "        )",
        "    )",
    ]


def test_allowed_confusables_are_the_non_ascii_characters_as_toml_strings() -> None:
    texts = ["Size 3\u00d74", "a \u2013 b", "joined 👩\u200d👧", "plain ASCII"]
    assert source.allowed_confusables(texts) == [
        '"\u00d7"',
        '"\\U0000200d"',
        '"\u2013"',
        '"👧"',
        '"👩"',
    ]
    assert source.allowed_confusables(["only ASCII"]) == []


# Curly quotes and apostrophes, which ruff flags in string literals (RUF001).
CURLY = "\u201cquotes\u201d and \u2018apostrophes\u2019"


def test_an_ascii_string_literal_holds_the_same_text_in_ascii() -> None:
    for text in ["Plain", f"Does things 😀 with {CURLY}", 'say "hi"', "数据 Café"]:
        literal = source.py_ascii_str(text)
        assert literal.isascii()
        assert ast.literal_eval(literal) == text
