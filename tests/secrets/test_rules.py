"""Every rule fires on its examples and stays quiet on its decoys, on both engines."""

from __future__ import annotations

import random

import pytest

from launchready.secrets import Match, Rule, Scanner, load_rules, matcher
from launchready.secrets.rules import rule_cases, shannon_entropy
from tests.secrets.corpus import expand

CASES = rule_cases()
ENGINES = ["hyperscan", "re"] if matcher.hyperscan is not None else ["re"]
EXAMPLES = [(rid, ex) for rid, examples, _ in CASES for ex in examples]
DECOYS = [(rid, d) for rid, _, decoys in CASES for d in decoys]
SEEDS = range(5)  # several draws: an unlucky random value must not hide a weak pattern
ALSO_FIRES = {
    "sk-ant-api03-{url95}": {"anthropic-api-key"},
    "TWILIO_AUTH_TOKEN={hex32}\n": {"env-secret"},  # a token alone is still a secret
}


@pytest.fixture(scope="module", params=ENGINES)
def scanner(request: pytest.FixtureRequest) -> Scanner:
    return Scanner(engine=request.param)


def test_every_rule_has_examples_and_decoys() -> None:
    assert [rid for rid, examples, decoys in CASES if not examples or not decoys] == []


def test_rule_ids_are_unique_and_loaded() -> None:
    ids = [r.id for r in load_rules()]
    assert len(ids) == len(set(ids))
    assert all(isinstance(r, Rule) for r in load_rules())
    assert "stripe-secret-key" in ids


@pytest.mark.parametrize(("rule_id", "template"), EXAMPLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_example_fires(scanner: Scanner, rule_id: str, template: str, seed: int) -> None:
    text = expand(template, random.Random(f"{seed}{template}"))
    found = scanner.scan_bytes(text.encode(), "f.txt")
    assert [m.rule_id for m in found] == [rule_id], template
    assert found[0].secret in text


@pytest.mark.parametrize(("rule_id", "template"), DECOYS)
@pytest.mark.parametrize("seed", SEEDS)
def test_decoy_is_quiet(scanner: Scanner, rule_id: str, template: str, seed: int) -> None:
    text = expand(template, random.Random(f"{seed}{template}"))
    fired = [m.rule_id for m in scanner.scan_bytes(text.encode(), "f.txt")]
    assert rule_id not in fired, template
    # A decoy of one rule may be another rule's catch (an Anthropic key is not an OpenAI
    # key); only these pairs are expected.
    assert set(fired) <= ALSO_FIRES.get(template, set()), (template, fired)


NOT_SECRETS = [
    "STRIPE_PUBLISHABLE_KEY=pk_live_{rand24}",
    "stripe = Stripe('pk_test_{rand99}')",
    "-----BEGIN PUBLIC KEY-----\n{b64_64}\n{b64_64}\n-----END PUBLIC KEY-----",
    "authorized_keys: ssh-rsa AAAAB3NzaC1yc2E{b64_64} me@laptop",
    'api_key = "xxxxxxxxxxxxxxxxxxxxxxxx"',
    'api_key = "your-key-here-1234"',
    'secret_key = "<your_key_goes_here>"',
    'password = "changeme{rand8}"',
    'token = "${API_TOKEN}"',
    'token = "{{ api_token }}"',
    'api_key = os.environ["STRIPE_SECRET_KEY"]',
    "const key = process.env.STRIPE_SECRET_KEY;",
    'secret = getenv("SESSION_SECRET")',
    "aws_access_key_id = AKIA"
    "IOSFODNN7EXAMPLE\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    '"integrity": "sha512-{b64_86}=="',
    "integrity sha512-{b64_86}==",
    'request_token = "{uuid}"',
    'icon_token = "data:image/png;base64,{b64_64}"',
]


@pytest.mark.parametrize("template", NOT_SECRETS)
def test_global_not_secrets(scanner: Scanner, template: str) -> None:
    text = expand(template, random.Random(template))
    assert scanner.scan_bytes(text.encode(), "package-lock.json") == []


def test_stripe_documented_test_key_is_allowed(scanner: Scanner) -> None:
    documented = "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    assert scanner.scan_bytes(f"stripe.api_key = '{documented}'".encode(), "a.py") == []


def test_test_keys_are_secrets_under_their_own_rule(scanner: Scanner) -> None:
    text = expand("sk_test_{rand30}")
    assert [m.rule_id for m in scanner.scan_bytes(text.encode(), "a")] == ["stripe-test-key"]


@pytest.mark.parametrize(
    "comment", ["# launchready:allow", "// launchready:allow", "/* launchready:allow */"]
)
def test_inline_allow_suppresses_only_its_line(scanner: Scanner, comment: str) -> None:
    first, second = expand("sk_live_{rand30}"), expand("sk_live_{rand30}")
    text = f"a = '{first}'  {comment}\nb = '{second}'\n"
    found = scanner.scan_bytes(text.encode(), "a.py")
    assert [(m.line, m.secret) for m in found] == [(2, second)]


def test_line_numbers_and_path(scanner: Scanner) -> None:
    key = expand("ghp_{rand36}")
    found = scanner.scan_bytes(f"one\ntwo\n\ntoken: {key}\n".encode(), "ci.yml")
    assert found == [Match("github-token", "ci.yml", 4, key)]


def test_overlapping_rules_report_once_under_the_specific_rule(scanner: Scanner) -> None:
    key = expand("sk_live_{rand30}")
    found = scanner.scan_bytes(f'stripe_secret_key = "{key}"'.encode(), "a.py")
    assert [m.rule_id for m in found] == ["stripe-secret-key"]


def test_minified_bundle_is_scanned(scanner: Scanner) -> None:
    key = expand("sk_live_{rand30}")
    bundle = ("var a=1;" * 50_000 + f'var k="{key}";' + "var b=2;" * 50_000).encode()
    found = scanner.scan_bytes(bundle, "https://shop.test/app.min.js")
    assert [(m.line, m.secret) for m in found] == [(1, key)]


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)


def test_engines_agree_on_a_mixed_corpus() -> None:
    pytest.importorskip("hyperscan")
    rng = random.Random(7)
    pieces = [expand(t, rng) for _, t in EXAMPLES + DECOYS] + [expand(t, rng) for t in NOT_SECRETS]
    rng.shuffle(pieces)
    corpus = "\n// filler line with words and a key: value\n".join(pieces).encode()
    fast = Scanner(engine="hyperscan").scan_bytes(corpus, "corpus.txt")
    slow = Scanner(engine="re").scan_bytes(corpus, "corpus.txt")
    assert fast == slow
    assert len(fast) >= len(EXAMPLES) - 5
