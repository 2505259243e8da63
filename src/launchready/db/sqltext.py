"""Reading and rewriting the SQL of a hot query: placeholders for each driver, the
columns its predicates compare, the tables behind its aliases.

Placeholders are written ``$n`` in the manifest (PostgreSQL's style); psycopg wants ``%s``
and SQLite ``?n``. The compared columns are found in a PostgreSQL plan's ``Filter`` or in
a SQLite query's WHERE and ON clauses: they are what an index could serve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from launchready.db.lexer import Kind, Token, tokenize

_COMPARISONS = frozenset({"=", "==", "<", ">", "<=", ">=", "<>", "!="})

# Words of an expression that are never a bare column name (they are reserved).
_EXPRESSION_WORDS = frozenset(
    {"not", "and", "or", "is", "null", "in", "like", "ilike", "between", "any", "all", "some"}
    | {"true", "false", "case", "when", "then", "else", "end", "exists", "distinct", "cast"}
    | {"as", "on", "where", "select", "from", "having", "escape", "similar", "glob", "regexp"}
)
_COMPARISON_WORDS = frozenset({"in", "is", "like", "ilike", "between", "glob", "similar"})

# Words a parenthesis may follow without being a function call: ``AND (a = 1)``.
_GROUPING_WORDS = frozenset(
    {"and", "or", "not", "where", "on", "when", "then", "else", "case", "in", "any", "all"}
    | {"some", "exists", "between", "select", "having", "by", "is", "like", "ilike", "using"}
)

# Words that end a FROM item, so the word after a table name is only an alias if it is
# not one of these.
_NOT_ALIASES = frozenset(
    {
        "where",
        "join",
        "inner",
        "left",
        "right",
        "full",
        "cross",
        "natural",
        "outer",
        "on",
        "using",
        "group",
        "order",
        "limit",
        "offset",
        "union",
        "except",
        "intersect",
        "window",
        "having",
        "as",
        "returning",
        "set",
        "values",
        "indexed",
        "not",
        "fetch",
        "for",
        "tablesample",
        "lateral",
    }
)


def param_numbers(sql: str) -> list[int]:
    """The ``$n`` placeholders of ``sql`` in order of appearance (repeats included)."""
    return [int(t.text[1:]) for t in tokenize(sql) if t.kind is Kind.PARAM]


def params_problem(sql: str, params: Sequence[Any]) -> str | None:
    """Why ``params`` do not fit the placeholders of ``sql`` ($1..$n, each given once)."""
    numbers = param_numbers(sql)
    highest = max(numbers, default=0)
    if highest != len(params):
        return f"uses {highest} placeholder(s) ($1..$n) but params has {len(params)} value(s)"
    missing = sorted(set(range(1, highest + 1)) - set(numbers))
    if missing:
        return f"never uses ${missing[0]}"
    return None


def to_sqlite(sql: str) -> str:
    """``$n`` -> ``?n``: SQLite's numbered placeholder, so a parameter used twice stays one."""
    return _rewrite(sql, lambda token: "?" + token.text[1:], escape_percent=False)


def to_psycopg(sql: str, params: Sequence[Any]) -> tuple[str, list[Any]]:
    """``$n`` -> ``%s`` with the values repeated in order of use, and every other ``%``
    doubled, since psycopg reads ``%`` as its own placeholder syntax everywhere."""
    ordered = [params[int(t.text[1:]) - 1] for t in tokenize(sql) if t.kind is Kind.PARAM]
    return _rewrite(sql, lambda _: "%s", escape_percent=True), ordered


def _rewrite(sql: str, placeholder: Callable[[Token], str], *, escape_percent: bool) -> str:
    pieces: list[str] = []
    position = 0
    for token in tokenize(sql):
        if token.kind is Kind.PARAM:
            pieces.append(_plain(sql[position : token.start], escape_percent))
            pieces.append(placeholder(token))
            position = token.end
    pieces.append(_plain(sql[position:], escape_percent))
    return "".join(pieces)


def _plain(text: str, escape_percent: bool) -> str:
    return text.replace("%", "%%") if escape_percent else text


@dataclass(frozen=True)
class ColumnRef:
    """A name a predicate compares: ``o.customer_id = $1`` gives (``o``, ``customer_id``)."""

    qualifier: str | None
    column: str
    equality: bool


def predicate_columns(sql: str) -> list[ColumnRef]:
    """Every (possibly qualified) name compared by an operator in ``sql``: the columns an
    index could serve. Names followed by ``(`` are functions and names after ``::`` are
    types; both are skipped."""
    tokens = tokenize(sql)
    refs: list[ColumnRef] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (
            token.kind not in (Kind.WORD, Kind.IDENT)
            or (token.kind is Kind.WORD and token.name in _EXPRESSION_WORDS)
            or (i > 0 and tokens[i - 1].is_op("::"))
        ):
            i += 1
            continue
        parts, j = [token.name], i + 1
        while (
            j + 1 < len(tokens)
            and tokens[j].is_op(".")
            and tokens[j + 1].kind
            in (
                Kind.WORD,
                Kind.IDENT,
            )
        ):
            parts.append(tokens[j + 1].name)
            j += 2
        if j < len(tokens) and tokens[j].is_op("("):
            i = j
            continue
        compared, equality = _comparison(tokens, i, j)
        if compared and not _function_argument(tokens, i):
            qualifier = parts[-2] if len(parts) > 1 else None
            refs.append(ColumnRef(qualifier, parts[-1], equality))
        i = j
    return refs


def _function_argument(tokens: Sequence[Token], start: int) -> bool:
    """``lower(email) = $1`` compares ``lower(email)``, not ``email``: a plain index on the
    argument would not serve it."""
    if start < 2 or not tokens[start - 1].is_op("("):
        return False
    callee = tokens[start - 2]
    return callee.kind is Kind.IDENT or (
        callee.kind is Kind.WORD and callee.name not in _GROUPING_WORDS
    )


def _comparison(tokens: Sequence[Token], start: int, end: int) -> tuple[bool, bool]:
    """Whether the name spanning ``tokens[start:end]`` is compared, and by equality."""
    after = end
    while after < len(tokens):
        if tokens[after].is_op(")", "]", "["):
            after += 1
        elif tokens[after].is_op("::"):
            after += 2
        else:
            break
    if after < len(tokens):
        nxt = tokens[after]
        if nxt.is_op("=", "==") or nxt.is_word("in", "is"):
            return True, True
        if nxt.is_op(*_COMPARISONS) or (nxt.kind is Kind.WORD and nxt.name in _COMPARISON_WORDS):
            return True, False
        if nxt.is_word("not") and after + 1 < len(tokens):
            following = tokens[after + 1]
            if following.kind is Kind.WORD and following.name in _COMPARISON_WORDS:
                return True, False
    before = start - 1
    while before >= 0 and tokens[before].is_op("("):
        before -= 1
    if before >= 0 and tokens[before].is_op(*_COMPARISONS):
        return True, tokens[before].is_op("=", "==")
    return False, False


def table_aliases(sql: str) -> dict[str, str]:
    """Each FROM/JOIN item's alias (and its own name) -> the table it names, lower-cased;
    SQLite's query plan names tables by alias."""
    tokens = tokenize(sql)
    found: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        if not tokens[i].is_word("from", "join"):
            i += 1
            continue
        in_from = tokens[i].is_word("from")
        i += 1
        while i < len(tokens) and tokens[i].kind in (Kind.WORD, Kind.IDENT):
            name, i = tokens[i].name, i + 1
            while (
                i + 1 < len(tokens)
                and tokens[i].is_op(".")
                and tokens[i + 1].kind
                in (
                    Kind.WORD,
                    Kind.IDENT,
                )
            ):
                name, i = tokens[i + 1].name, i + 2
            if i < len(tokens) and tokens[i].is_op("("):
                break  # a table-valued function
            found.setdefault(name.lower(), name)
            if i < len(tokens) and tokens[i].is_word("as"):
                i += 1
            if (
                i < len(tokens)
                and tokens[i].kind in (Kind.WORD, Kind.IDENT)
                and not (tokens[i].kind is Kind.WORD and tokens[i].name in _NOT_ALIASES)
            ):
                found[tokens[i].name.lower()] = name
                i += 1
            if in_from and i < len(tokens) and tokens[i].is_op(","):
                i += 1
                continue
            break
    return found


def shorten(sql: str, limit: int = 80) -> str:
    """``sql`` on one line, cut to ``limit`` characters: a readable finding target."""
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
