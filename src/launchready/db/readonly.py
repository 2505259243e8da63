"""Which statements may run: one statement at a time, and only plain reads under
``--analyze``.

Drivers run a string holding several statements whole, so every manifest query is checked
to be exactly one before anything is sent. ``--analyze`` executes queries, so it takes
only what is recognisably a plain SELECT; the READ ONLY transaction it runs in is the
guarantee for data, this check the guarantee that nothing else is attempted.
"""

from __future__ import annotations

from collections.abc import Sequence

from launchready.db.lexer import Kind, SqlTextError, Token, statement_count, tokenize

# Words that make a statement something other than a plain read. A SELECT never needs
# them outside a string or a quoted name, so refusing on sight is safe and simple.
_WRITING_WORDS = frozenset(
    {
        "insert",
        "update",
        "delete",
        "merge",
        "into",
        "truncate",
        "create",
        "drop",
        "alter",
        "grant",
        "revoke",
        "copy",
        "call",
        "lock",
        "vacuum",
        "reindex",
        "execute",
        "prepare",
        "listen",
        "notify",
    }
)

# Functions that act even inside a READ ONLY transaction (signals, locks, sequences,
# files, other servers); the transaction stops data writes, this list the rest we know of.
_SIDE_EFFECT_FUNCTIONS = frozenset(
    {
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "pg_rotate_logfile",
        "pg_switch_wal",
        "pg_promote",
        "pg_notify",
        "set_config",
        "nextval",
        "setval",
        "pg_stat_statements_reset",
        "pg_log_backend_memory_contexts",
    }
)

_SIDE_EFFECT_PREFIXES = (
    "pg_advisory",
    "pg_try_advisory",
    "pg_stat_reset",
    "pg_create_",
    "pg_drop_",
    "pg_replication_",
    "pg_file_",
    "lo_",
    "dblink",
)


def single_statement_problem(sql: str) -> str | None:
    """Why ``sql`` is not exactly one statement, or None. Drivers run a string with
    several statements whole, so this is checked before anything is sent."""
    try:
        count = statement_count(tokenize(sql))
    except SqlTextError as exc:
        return f"cannot be read: {exc}"
    if count == 0:
        return "is empty"
    return None if count == 1 else "holds more than one statement"


def select_problem(sql: str) -> str | None:
    """Why ``sql`` may not be executed by ``--analyze``, or None for a plain read.

    Conservative on purpose: a single statement that is SELECT, or WITH ... SELECT, with no
    writing word (INSERT, UPDATE, DELETE, MERGE, INTO, ...) anywhere outside strings and
    quoted names, no row locks and no call to a function known to act on the server. A
    false refusal costs the user a rewrite; a false pass could change their data.
    """
    problem = single_statement_problem(sql)
    if problem is not None:
        return problem
    tokens = [t for t in tokenize(sql) if not t.is_op(";")]
    start = 0
    while start < len(tokens) and tokens[start].is_op("("):
        start += 1
    if start >= len(tokens) or not tokens[start].is_word("select", "with"):
        first = tokens[start].text.upper() if start < len(tokens) else "nothing"
        return f"is not a SELECT (it starts with {first})"
    if tokens[start].is_word("with") and not _with_leads_to_select(tokens, start + 1):
        return "is a WITH query whose main statement is not a plain SELECT"
    for index, token in enumerate(tokens):
        if token.kind is not Kind.WORD:
            continue
        word = token.text.lower()
        if word in _WRITING_WORDS:
            return f"contains {word.upper()}, which can change data"
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if (
            word == "for"
            and following is not None
            and following.is_word("update", "share", "no", "key")
        ):
            return "locks rows (FOR UPDATE/SHARE)"
        if following is not None and following.is_op("(") and _side_effect(word):
            return f"calls {word}(), which acts on the server"
    return None


def _side_effect(function: str) -> bool:
    return function in _SIDE_EFFECT_FUNCTIONS or function.startswith(_SIDE_EFFECT_PREFIXES)


def _with_leads_to_select(tokens: Sequence[Token], i: int) -> bool:
    """Walk ``name [(cols)] AS [[NOT] MATERIALIZED] (...)`` items; the main statement
    after them must begin with SELECT (or a parenthesised SELECT)."""
    if i < len(tokens) and tokens[i].is_word("recursive"):
        i += 1
    while True:
        if i >= len(tokens) or tokens[i].kind not in (Kind.WORD, Kind.IDENT):
            return False
        i += 1
        if i < len(tokens) and tokens[i].is_op("("):
            i = _after_parens(tokens, i)
        if i >= len(tokens) or not tokens[i].is_word("as"):
            return False
        i += 1
        while i < len(tokens) and tokens[i].is_word("not", "materialized"):
            i += 1
        if i >= len(tokens) or not tokens[i].is_op("("):
            return False
        i = _after_parens(tokens, i)
        if i < len(tokens) and tokens[i].is_op(","):
            i += 1
            continue
        break
    while i < len(tokens) and tokens[i].is_op("("):
        i += 1
    return i < len(tokens) and tokens[i].is_word("select")


def _after_parens(tokens: Sequence[Token], i: int) -> int:
    """The index after the parenthesis group opening at ``i``."""
    depth = 0
    while i < len(tokens):
        if tokens[i].is_op("("):
            depth += 1
        elif tokens[i].is_op(")"):
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def first_word(sql: str) -> str | None:
    """The statement's leading keyword, lower-cased (``select``, ``with``, ``update``...)."""
    try:
        tokens = tokenize(sql)
    except SqlTextError:
        return None
    for token in tokens:
        if token.kind is Kind.WORD:
            return token.name
        if not token.is_op("("):
            return None
    return None
