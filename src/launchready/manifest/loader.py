"""Reading ``launchready.yaml``: YAML with line numbers, ``${VAR}`` expansion, precise errors.

PyYAML's composed node tree keeps the line of every key and value; we build plain Python
data from it together with a map from each path (``("routes", 2, "budget_p95")``) to its
line, so a pydantic error can be reported as ``launchready.yaml:14: routes[2].budget_p95:``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from launchready.errors import ManifestError
from launchready.manifest.models import Manifest

Loc = tuple[str | int, ...]
_VARIABLE = re.compile(r"\$(\$)|\$\{([^}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_PROBLEMS_SHOWN = 5


def load_manifest(path: Path | str, environ: Mapping[str, str] | None = None) -> Manifest:
    """Read, expand and validate a manifest; every problem raises ManifestError with a place."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(
            "no such file; write one with `launchready init DOMAIN`, or pass -m PATH",
            path=file,
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read the manifest: {exc}", path=file) from None
    return parse_manifest(text, file, os.environ if environ is None else environ)


def parse_manifest(text: str, path: Path, environ: Mapping[str, str]) -> Manifest:
    """Validate manifest ``text`` as if read from ``path`` (used by tests and the demo)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise ManifestError(f"this is not valid YAML: {problem}", path=path, line=line) from None
    if node is None:
        raise ManifestError(
            "the manifest is empty; it needs at least site.domain", path=path, line=1
        )
    if not isinstance(node, yaml.MappingNode):
        raise ManifestError(
            "the manifest must be a mapping of sections (site:, routes:, ...)",
            path=path,
            line=node.start_mark.line + 1,
        )
    lines: dict[Loc, int] = {}
    secrets: dict[str, str] = {}
    data = _build(node, (), lines, path, environ, secrets)
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise _manifest_error(exc, path, lines) from None
    manifest._path = path.resolve()
    manifest._secret_values = secrets
    return manifest


def _build(
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    path: Path,
    environ: Mapping[str, str],
    secrets: dict[str, str],
) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                yaml.SafeLoader.construct_scalar(yaml.SafeLoader(""), key_node)
                if isinstance(key_node, yaml.ScalarNode)
                else None
            )
            if not isinstance(key, str):
                raise ManifestError(
                    "keys must be plain names",
                    path=path,
                    line=key_node.start_mark.line + 1,
                    field=_dotted(loc),
                )
            if key in result:
                raise ManifestError(
                    f"{key!r} is given twice",
                    path=path,
                    line=key_node.start_mark.line + 1,
                    field=_dotted((*loc, key)),
                )
            lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, (*loc, key), lines, path, environ, secrets)
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*loc, i), lines, path, environ, secrets)
            for i, item in enumerate(node.value)
        ]
    value = yaml.SafeLoader("").construct_object(node)
    if isinstance(value, str):
        return _expand(value, environ, secrets, path, node.start_mark.line + 1, loc)
    return value


def _expand(
    value: str, environ: Mapping[str, str], secrets: dict[str, str], path: Path, line: int, loc: Loc
) -> str:
    """Replace ``${VAR}`` from the environment (``$$`` writes a literal ``$``)."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(1):
            return "$"
        name = match.group(2)
        if not _NAME.match(name):
            raise ManifestError(
                f"${{{name}}} is not a variable name", path=path, line=line, field=_dotted(loc)
            )
        if name not in environ:
            raise ManifestError(
                f"the environment variable {name} is not set (export {name}=... before running)",
                path=path,
                line=line,
                field=_dotted(loc),
            )
        secret = environ[name]
        if secret:
            secrets[secret] = name
        return secret

    return _VARIABLE.sub(substitute, value)


def _manifest_error(exc: ValidationError, path: Path, lines: dict[Loc, int]) -> ManifestError:
    problems = sorted(
        (_describe(err, lines) for err in exc.errors()),
        key=lambda p: p[0] if p[0] is not None else 0,
    )
    line, field, message = problems[0]
    extra = [
        f"{path}:{ln}: {fd}: {msg}" if fd else f"{path}:{ln}: {msg}"
        for ln, fd, msg in problems[1:MAX_PROBLEMS_SHOWN]
    ]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        extra.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    if extra:
        message = message + "\n" + "\n".join(extra)
    return ManifestError(message, path=path, line=line, field=field)


def _describe(err: Any, lines: dict[Loc, int]) -> tuple[int | None, str, str]:
    loc: Loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
    kind = err["type"]
    line = _nearest_line(loc, lines)
    field = _dotted(loc)
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1])
        key = str(loc[-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else (f"; valid keys here: {', '.join(known)}" if known else "")
        )
        return line, field, f"unknown key {key!r}{hint}"
    if kind == "missing":
        return line, field, "is required but missing"
    message = str(err["msg"])
    message = message.removeprefix("Value error, ")
    if (
        "input" in err
        and kind not in ("value_error",)
        and not isinstance(err["input"], dict | list)
    ):
        message = f"{message} (got {err['input']!r})"
    return line, field, message


def _is_union_tag(part: str | int) -> bool:
    """Pydantic adds the member type to the loc of union errors (``str``, ``IncludeSender``)."""
    return isinstance(part, str) and (
        part[:1].isupper()
        or part in {"str", "int", "list[int]"}
        or part.startswith(("function-", "list[", "dict["))
    )


def _nearest_line(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _known_keys(loc: Loc) -> list[str]:
    """The valid keys of the model found at ``loc``, by alias where one is set."""
    model: Any = Manifest
    for part in loc:
        if isinstance(part, int):
            continue
        model = _model_of(model, part)
        if model is None:
            return []
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_of(model: Any, key: str) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return _unwrap(info.annotation)
    return None


def _unwrap(annotation: Any) -> Any:
    """The model inside ``list[X]``, ``X | None`` and ``dict[str, X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is not None or get_args(annotation):
        for arg in get_args(annotation):
            found = _unwrap(arg)
            if found is not None:
                return found
    return None
