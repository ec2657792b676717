"""Python source as ``ruff format`` writes it: literals, wrapped calls, imports, docstrings.

The templates show the code they generate; the filters here only lay it out so
that every line fits ``LINE_LENGTH`` the way ruff format would leave it.
"""

from __future__ import annotations

import json
import re
import unicodedata

LINE_LENGTH = 100
# Long string literals are split into pieces of at most this many columns.
PIECE_WIDTH = 72


def py_str(text: str) -> str:
    """A double-quoted Python string literal, as ruff format writes it."""
    return json.dumps(text, ensure_ascii=False)


def allowed_confusables(texts: list[str]) -> list[str]:
    """The non-ASCII characters of ``texts``, as TOML strings for ruff's ``allowed-confusables``.

    Text answers reach docstrings and comments, where ruff takes characters such
    as a multiplication sign, an en dash or a Cyrillic a for ASCII look-alikes
    (RUF001 to RUF003); the team wrote them on purpose. Characters that do not
    print (a zero-width joiner in an emoji) are written as TOML escapes.
    """
    characters = sorted({char for text in texts for char in text if not char.isascii()})
    return [py_str(char) if char.isprintable() else f'"\\U{ord(char):08x}"' for char in characters]


def py_ascii_str(text: str) -> str:
    """``py_str(text)`` with every non-ASCII character escaped (``\\u201c``, ``\\U0001f600``).

    For text in string literals, where ruff flags characters that look like ASCII
    ones (RUF001: curly quotes, Cyrillic letters, ...); the value is the same.
    """
    return "".join(
        char
        if char.isascii()
        else f"\\u{ord(char):04x}"
        if ord(char) <= 0xFFFF
        else f"\\U{ord(char):08x}"
        for char in py_str(text)
    )


def width(text: str) -> int:
    """Columns ``text`` takes, as ruff measures it (wide characters count two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def split_arguments(text: str) -> list[str]:
    """The top-level, comma-separated parts of ``text`` (brackets and strings respected)."""
    parts, depth, start, quote, index = [], 0, 0, "", 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
        index += 1
    last = text[start:].strip()
    return [*parts, last] if last else parts


def _outer_brackets(line: str, opening_chars: str) -> tuple[int, int] | None:
    """Positions of the first opening bracket (of ``opening_chars``) outside strings,
    and of its match."""
    depth, quote, opening = 0, "", -1
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote and line[index - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            if depth == 0 and opening < 0 and char in opening_chars:
                opening = index
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0 and opening >= 0:
                return opening, index
    return None


# ``target = value``: a plain assignment.
ASSIGNMENT = re.compile(r"(\s*[\w.]+ = )(.+)")
# ``name: annotation = value`` (a class attribute or a parameter), value without brackets.
ANNOTATED = re.compile(r"(\s*\w+: [^=]+ = )([^()\[\]{}]+?)(,?)")


def fit(line: str) -> str:
    """``line`` (indentation included) as is when it fits, else as ruff format splits it.

    A call (else a subscript) is exploded one argument a line with a trailing comma,
    which ruff format keeps (the magic trailing comma), and arguments still too long
    are split in turn; a long ``from`` import is parenthesised; the plain value of a
    long annotated attribute or parameter goes in parentheses on a line of its own.
    """
    if "\n" in line:
        return "\n".join(fit(part) for part in line.split("\n"))
    if width(line) <= LINE_LENGTH:
        return line
    pad = line[: len(line) - len(line.lstrip())]
    if line.startswith("from ") and " import " in line and "(" not in line:
        module, _, names = line[5:].partition(" import ")
        return import_line(module, [name.strip() for name in names.split(",")])
    annotated = ANNOTATED.fullmatch(line)
    if annotated:
        head, value, comma = annotated.groups()
        return f"{head}(\n{pad}    {value}\n{pad}){comma}"
    brackets = _outer_brackets(line, "(") or _outer_brackets(line, "[")
    if brackets is None:
        return line
    opening, closing = brackets
    assignment = ASSIGNMENT.fullmatch(line)
    if assignment and width(line[: opening + 1]) > LINE_LENGTH:
        # ruff format wraps the right-hand side in parentheses first.
        head, value = assignment.groups()
        return f"{head}(\n{fit(f'{pad}    {value}')}\n{pad})"
    arguments = split_arguments(line[opening + 1 : closing])
    inner = "".join(fit(f"{pad}    {argument},") + "\n" for argument in arguments)
    return f"{line[: opening + 1]}\n{inner}{pad}{line[closing]}{line[closing + 1 :]}"


def import_line(module: str, names: list[str]) -> str:
    """``from module import a, b``, parenthesised one name a line when too long."""
    line = f"from {module} import {', '.join(names)}"
    if width(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"    {name},\n" for name in names)
    return f"from {module} import (\n{inner})"


def isort_key(name: str) -> tuple[bool, str]:
    """ruff's isort order inside one ``from`` import: constants, classes, then functions."""
    return (not name.isupper(), name)


def python_imports(pairs: list[tuple[str, str]] | set[tuple[str, str]]) -> list[str]:
    """``from module import a, b`` lines for (module, name) pairs, sorted as isort wants."""
    by_module: dict[str, set[str]] = {}
    for module, name in pairs:
        by_module.setdefault(module, set()).add(name)
    return [
        import_line(module, sorted(names, key=isort_key))
        for module, names in sorted(by_module.items())
    ]


def string_constant(name: str, text: str) -> str:
    """``NAME = "text"`` at module level, the literal split into pieces when too long."""
    line = f"{name} = {py_str(text)}"
    if width(line) <= LINE_LENGTH:
        return line
    if width(f"    {py_str(text)}") <= LINE_LENGTH:
        return f"{name} = (\n    {py_str(text)}\n)"
    pieces: list[str] = []
    current = ""
    for word in re.findall(r"\S*\s*", text):
        if current and width(py_str(current + word)) > PIECE_WIDTH:
            pieces.append(current)
            current = ""
        while width(py_str(word)) > PIECE_WIDTH:
            cut = _longest_prefix(word)
            pieces.append(word[:cut])
            word = word[cut:]
        current += word
    pieces.append(current)
    body = "".join(f"    {py_str(piece)}\n" for piece in pieces if piece)
    return f"{name} = (\n{body})"


def _longest_prefix(word: str) -> int:
    """How many characters of ``word`` fit one piece."""
    cut = 1
    while cut < len(word) and width(py_str(word[: cut + 1])) <= PIECE_WIDTH:
        cut += 1
    return cut


def docstring(text: str, indent: int = 0) -> str:
    """``text`` as a docstring at ``indent``; lines too long are wrapped at word breaks.

    A one-line text that fits stays on one line with its quotes; otherwise the
    closing quotes get a line of their own.
    """
    pad = " " * indent
    lines = text.strip("\n").split("\n")
    if len(lines) == 1 and width(f'{pad}"""{lines[0]}"""') <= LINE_LENGTH:
        return f'{pad}"""{lines[0]}"""'
    wrapped: list[str] = []
    for number, line in enumerate(lines):
        first = pad + ('"""' if number == 0 else "")
        wrapped += wrap(line, first, pad) if line.strip() else [""]
    if len(wrapped) == 1 and " " in wrapped[0].strip():
        # ruff format puts the closing quotes of a one-line docstring on its line:
        # the text must take two lines.
        head, _, last = wrapped[0].rpartition(" ")
        wrapped = [head, pad + last]
    return "\n".join([*wrapped, f'{pad}"""'])


def wrap(text: str, first: str, rest: str) -> list[str]:
    """``text`` in lines of at most LINE_LENGTH columns, broken between words.

    The first line starts with ``first``, the others with ``rest``; a word longer
    than a line gets a line of its own.
    """
    lines: list[str] = []
    current = first
    for word in text.split():
        start = current in (first, rest)
        candidate = current + word if start else f"{current} {word}"
        if start or width(candidate) <= LINE_LENGTH:
            current = candidate
        else:
            lines.append(current)
            current = rest + word
    return [*lines, current]


def comment(text: str, indent: int = 0) -> str:
    """``# text`` at ``indent``, wrapped onto more comment lines when too long."""
    pad = " " * indent + "# "
    return "\n".join(wrap(text, pad, pad))
