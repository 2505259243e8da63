"""Just enough SQL lexing to handle queries we did not write, without a parser.

Several jobs need to see SQL as tokens rather than characters, so that a ``$1`` or a
``DELETE`` inside a string literal, a quoted name or a comment is never mistaken for code.
The rules are PostgreSQL's, which SQLite's are close enough to for these jobs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

_WORD = re.compile(r"[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*")

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

_PARAM = re.compile(r"\$(\d+)")

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")

_OPERATOR_CHARS = set("+-*/<>=~!@#%^&|`?")

_PUNCTUATION = set("()[],;.:")

# Reserved in PostgreSQL or SQLite: such a word is never a bare name (a column called
# "order" must be quoted), so it is never read as one, and is quoted when written.
RESERVED = frozenset(
    {
        "abort",
        "action",
        "add",
        "after",
        "all",
        "alter",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "attach",
        "authorization",
        "autoincrement",
        "before",
        "begin",
        "binary",
        "both",
        "by",
        "cascade",
        "case",
        "cast",
        "check",
        "collate",
        "collation",
        "column",
        "concurrently",
        "conflict",
        "constraint",
        "create",
        "cross",
        "current_catalog",
        "current_date",
        "current_role",
        "current_schema",
        "current_time",
        "current_timestamp",
        "current_user",
        "database",
        "default",
        "deferrable",
        "deferred",
        "delete",
        "desc",
        "detach",
        "distinct",
        "do",
        "drop",
        "each",
        "else",
        "end",
        "escape",
        "except",
        "exclusive",
        "exists",
        "explain",
        "fail",
        "false",
        "fetch",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "glob",
        "grant",
        "group",
        "having",
        "if",
        "ignore",
        "ilike",
        "immediate",
        "in",
        "index",
        "indexed",
        "initially",
        "inner",
        "insert",
        "instead",
        "intersect",
        "into",
        "is",
        "isnull",
        "join",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "match",
        "natural",
        "no",
        "not",
        "nothing",
        "notnull",
        "null",
        "of",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "overlaps",
        "placing",
        "plan",
        "pragma",
        "primary",
        "query",
        "raise",
        "recursive",
        "references",
        "regexp",
        "reindex",
        "release",
        "rename",
        "replace",
        "restrict",
        "returning",
        "right",
        "rollback",
        "row",
        "rows",
        "savepoint",
        "select",
        "session_user",
        "set",
        "similar",
        "some",
        "symmetric",
        "table",
        "tablesample",
        "temp",
        "temporary",
        "then",
        "to",
        "trailing",
        "transaction",
        "trigger",
        "true",
        "union",
        "unique",
        "update",
        "user",
        "using",
        "vacuum",
        "values",
        "variadic",
        "verbose",
        "view",
        "virtual",
        "when",
        "where",
        "window",
        "with",
    }
)


class SqlTextError(ValueError):
    """The text cannot be lexed (an unterminated string, quoted name or comment)."""


class Kind(StrEnum):
    WORD = "word"
    IDENT = "ident"
    """A double-quoted identifier."""
    STRING = "string"
    NUMBER = "number"
    PARAM = "param"
    """``$n``."""
    OP = "op"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int

    @property
    def name(self) -> str:
        """The identifier a WORD or IDENT denotes (folded as PostgreSQL folds it)."""
        if self.kind is Kind.IDENT:
            return self.text[1:-1].replace('""', '"')
        return self.text.lower() if self.kind is Kind.WORD else self.text

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.WORD and self.text.lower() in words

    def is_op(self, *ops: str) -> bool:
        return self.kind is Kind.OP and self.text in ops


def tokenize(sql: str) -> list[Token]:
    """The tokens of ``sql``; comments and whitespace are dropped."""
    out: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
        elif ch == "'":
            escapes = bool(out) and out[-1].end == i and out[-1].is_word("e")
            end = _string_end(sql, i, "'", backslash=escapes)
            if escapes:
                out.pop()
            out.append(Token(Kind.STRING, sql[i:end], i, end))
            i = end
        elif ch == '"':
            end = _string_end(sql, i, '"', backslash=False)
            out.append(Token(Kind.IDENT, sql[i:end], i, end))
            i = end
        elif ch == "$":
            i = _dollar(sql, i, out)
        elif (ch.isdigit() or ch == ".") and (m := _NUMBER.match(sql, i)):
            out.append(Token(Kind.NUMBER, m.group(), i, m.end()))
            i = m.end()
        elif m := _WORD.match(sql, i):
            out.append(Token(Kind.WORD, m.group(), i, m.end()))
            i = m.end()
        elif sql.startswith("::", i):
            out.append(Token(Kind.OP, "::", i, i + 2))
            i += 2
        elif ch in _PUNCTUATION:
            out.append(Token(Kind.OP, ch, i, i + 1))
            i += 1
        elif ch in _OPERATOR_CHARS:
            end = i + 1
            while (
                end < n
                and sql[end] in _OPERATOR_CHARS
                and not sql.startswith("--", end)
                and not sql.startswith("/*", end)
            ):
                end += 1
            out.append(Token(Kind.OP, sql[i:end], i, end))
            i = end
        else:
            out.append(Token(Kind.OP, ch, i, i + 1))
            i += 1
    return out


def _skip_block_comment(sql: str, i: int) -> int:
    depth, j = 0, i
    while j < len(sql):
        if sql.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif sql.startswith("*/", j):
            depth, j = depth - 1, j + 2
            if depth == 0:
                return j
        else:
            j += 1
    raise SqlTextError("an unterminated /* comment")


def _string_end(sql: str, i: int, quote: str, *, backslash: bool) -> int:
    j = i + 1
    while j < len(sql):
        if backslash and sql[j] == "\\":
            j += 2
            continue
        if sql[j] == quote:
            if sql.startswith(quote * 2, j):
                j += 2
                continue
            return j + 1
        j += 1
    what = "quoted name" if quote == '"' else "string"
    raise SqlTextError(f"an unterminated {what}")


def _dollar(sql: str, i: int, out: list[Token]) -> int:
    if m := _PARAM.match(sql, i):
        out.append(Token(Kind.PARAM, m.group(), i, m.end()))
        return m.end()
    if (m := _DOLLAR_TAG.match(sql, i)) and not (out and out[-1].end == i):
        end = sql.find(m.group(), m.end())
        if end < 0:
            raise SqlTextError("an unterminated dollar-quoted string")
        stop = end + len(m.group())
        out.append(Token(Kind.STRING, sql[i:stop], i, stop))
        return stop
    out.append(Token(Kind.OP, "$", i, i + 1))
    return i + 1


def statement_count(tokens: Sequence[Token]) -> int:
    """How many non-empty statements ``;`` separates (a trailing ``;`` adds none)."""
    count, pending = 0, False
    for token in tokens:
        if token.is_op(";"):
            count, pending = count + pending, False
        else:
            pending = True
    return count + pending
