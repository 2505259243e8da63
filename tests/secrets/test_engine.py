"""Redaction, fingerprints, baselines and the working-tree walk."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from launchready.errors import InputError
from launchready.secrets import Baseline, Match, Rule, Scanner, fingerprint
from launchready.secrets import matcher as matcher_module
from launchready.secrets.matcher import keyed_hash
from tests.secrets.corpus import expand


def key() -> str:
    return expand("sk_live_{rand32}")


def test_redacted_shows_four_characters_and_a_keyed_hash() -> None:
    value = key()
    shown = Match("stripe-secret-key", "a", 1, value).redacted
    assert re.fullmatch(r"sk_l…[0-9a-f]{8}", shown)
    assert value[4:12] not in shown
    assert shown == Match("stripe-secret-key", "b", 9, value).redacted  # stable
    assert shown != Match("stripe-secret-key", "a", 1, key()).redacted


def test_repr_never_holds_the_value() -> None:
    value = key()
    match = Match("stripe-secret-key", "a", 1, value)
    assert value not in repr(match)
    assert value not in str(match)


def test_fingerprint_is_stable_keyed_and_ignores_the_line() -> None:
    value = key()
    first = fingerprint(Match("stripe-secret-key", "a.py", 1, value))
    assert first == fingerprint(Match("stripe-secret-key", "a.py", 40, value))
    assert first != fingerprint(Match("stripe-secret-key", "b.py", 1, value))
    assert first != fingerprint(Match("generic-secret", "a.py", 1, value))
    assert value not in first
    assert keyed_hash(value) not in first
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    import hashlib

    assert hashlib.sha256(value.encode()).hexdigest() not in first


def test_baseline_round_trip_and_suppression(tmp_path: Path) -> None:
    accepted = Match("stripe-secret-key", "shop/a.py", 3, key())
    other = Match("stripe-secret-key", "shop/a.py", 4, key())
    path = tmp_path / "baseline.json"
    Baseline().updated([accepted]).save(path)
    text = path.read_text()
    assert accepted.secret not in text and accepted.secret[-8:] not in text
    loaded = Baseline.load(path)
    assert accepted in loaded
    assert Match("stripe-secret-key", "shop/a.py", 99, accepted.secret) in loaded  # moved
    assert other not in loaded
    entry = json.loads(text)["entries"][0]
    assert entry == {
        "fingerprint": fingerprint(accepted),
        "rule": "stripe-secret-key",
        "path": "shop/a.py",
    }
    # updated() accepts exactly the given matches: a fixed key drops out
    assert accepted not in loaded.updated([other])


def test_baseline_save_is_sorted(tmp_path: Path) -> None:
    matches = [Match("github-token", p, 1, key()) for p in ("z.py", "a.py", "m.py")]
    path = tmp_path / "b.json"
    Baseline().updated(matches).save(path)
    paths = [e["path"] for e in json.loads(path.read_text())["entries"]]
    assert paths == sorted(paths)


def test_missing_baseline_is_empty(tmp_path: Path) -> None:
    assert len(Baseline.load(tmp_path / "nope.json")) == 0


@pytest.mark.parametrize(
    "text", ["{not json", "[]", '{"version": 1}', '{"version": 9, "entries": []}']
)
def test_corrupt_baseline_is_an_input_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(InputError):
        Baseline.load(path)


def test_walk_skips_binary_and_vendored_but_scans_dist(tmp_path: Path) -> None:
    secret = {
        name: key() for name in ("app", "dist", "bin", "nm", "git", "venv", "named", "vendor")
    }
    (tmp_path / "src").mkdir()
    (tmp_path / "src/app.py").write_text(f"KEY = '{secret['app']}'\n")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist/app.min.js").write_text(f'var k="{secret["dist"]}";')
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\0\0" + secret["bin"].encode())
    for folder, name in (("node_modules/x", "nm"), (".git", "git"), (".venv/lib", "venv")):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "f.js").write_text(f'k="{secret[name]}"')
    (tmp_path / "vendor").mkdir()  # committed third-party code: scanned
    (tmp_path / "vendor" / "lib.js").write_text(f'k="{secret["vendor"]}"')
    (tmp_path / "bower_components").mkdir()
    named = tmp_path / "bower_components" / "named.js"
    named.write_text(f'k="{secret["named"]}"')
    scanner = Scanner()
    found = {m.secret: m for m in scanner.scan_paths([tmp_path], workers=4)}
    assert set(found) == {secret["app"], secret["dist"], secret["vendor"]}
    assert found[secret["app"]].path == str(tmp_path / "src/app.py")
    assert found[secret["app"]].line == 1
    # a path the user names is scanned even inside a vendored folder
    assert [m.secret for m in scanner.scan_paths([named])] == [secret["named"]]
    assert [m.secret for m in scanner.scan_paths([tmp_path / "bower_components"])] == [
        secret["named"]
    ]


def test_walk_reports_relative_paths_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    value = key()
    (tmp_path / "a" / "b.env").write_text(f"STRIPE={value}\n")
    monkeypatch.chdir(tmp_path)
    assert [m.path for m in Scanner().scan_paths([Path("a")])] == ["a/b.env"]


def test_each_file_read_once_and_parallel_equals_serial(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / f"f{i}.txt").write_text(
            f"x\nt = '{expand('ghp_{rand36}')}'\n" if i % 3 else "nothing\n"
        )
    scanner = Scanner()
    serial = scanner.scan_paths([tmp_path], workers=1)
    parallel = scanner.scan_paths([tmp_path, tmp_path / "f1.txt"], workers=8)
    assert serial == parallel
    assert len(serial) == 26


def test_fallback_engine_when_hyperscan_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matcher_module, "hyperscan", None)
    scanner = Scanner()
    assert scanner.engine == "re"
    value = key()
    assert [m.secret for m in scanner.scan_bytes(f"k={value}".encode(), "a")] == [value]
    with pytest.raises(RuntimeError):
        Scanner(engine="hyperscan")


def test_a_rule_hyperscan_cannot_compile_runs_in_prefilter_mode() -> None:
    pytest.importorskip("hyperscan")
    rule = Rule(
        "lookahead", "needs re", r"\b(tok_(?=[a-z0-9]{20})[a-z0-9]{20})\b", ("tok_",), None, 1
    )
    value = "tok_" + expand("{lower20}")
    for engine in ("hyperscan", "re"):
        found = Scanner([rule], engine=engine).scan_bytes(f"x = {value}\n".encode(), "a")
        assert [m.secret for m in found] == [value]


def test_many_keys_far_apart_in_one_large_file() -> None:
    pytest.importorskip("hyperscan")
    keys = [expand("sk_live_{rand30}") for _ in range(30)]
    filler = "const x = 1; // nothing to see\n" * 700
    text = "".join(f"{filler}k{i} = '{k}'\n" for i, k in enumerate(keys)).encode()
    fast = Scanner(engine="hyperscan").scan_bytes(text, "big.js")
    assert [m.secret for m in fast] == keys
    assert fast == Scanner(engine="re").scan_bytes(text, "big.js")
    assert [m.line for m in fast] == [701 * (i + 1) for i in range(30)]
