"""``launchready email verify-message`` through the real command line, against Knot DNS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchready.demo import DemoStore
from tests.conftest import CliRun
from tests.dnslab.knot import KnotServer, require_knot
from tests.mail.test_dkim import message, new_key, sign, txt
from tests.mail.test_verify import delivered

SHOP_KEY, ESP_KEY = new_key(), new_key()
ZONES = {
    "shop.test": f"""
        @ TXT "v=spf1 ip4:127.77.0.0/16 -all"
        _dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@shop.test"
        s1._domainkey TXT {txt(SHOP_KEY.record())}
    """,
    "esp.test": f"""
        @ TXT "v=spf1 ip4:127.88.0.0/16 -all"
        s1._domainkey TXT {txt(ESP_KEY.record())}
    """,
}


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    with KnotServer(tmp_path_factory.mktemp("knot"), ZONES) as server:
        yield server


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def verify(cli: CliRun, knot: KnotServer, path: Path, *extra: str | Path) -> dict[str, object]:
    result = cli("email", "verify-message", path, "--nameserver", knot.nameserver, *extra)
    assert result.returncode in (0, 1), result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    document["exit"] = result.returncode
    return document


def test_an_aligned_message_exits_0(cli: CliRun, knot: KnotServer, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.eml", sign(message(), SHOP_KEY, "shop.test"))
    document = verify(cli, knot, path, "--format", "json")
    assert document["exit"] == 0
    assert document["site"] == "shop.test"
    assert document["findings"] == []
    assert document["extras"]["message_verification"]["dmarc_passes"] is True  # type: ignore[index]


def test_a_third_party_signature_exits_1(cli: CliRun, knot: KnotServer, tmp_path: Path) -> None:
    signed = delivered(sign(message(), ESP_KEY, "esp.test"), "b@esp.test", "127.88.0.5")
    path = write(tmp_path, "esp.eml", signed)
    document = verify(cli, knot, path, "--format", "json")
    assert document["exit"] == 1
    [item] = document["findings"]  # type: ignore[misc]
    assert item["id"] == "email.alignment-failed"
    assert item["target"] == "esp.eml"
    assert "signed by esp.test, not by your domain" in item["fix"]
    assert verify(cli, knot, path, "--format", "json", "--fail-on", "never")["exit"] == 0


def test_spf_alone_aligns_with_the_ip_option(cli: CliRun, knot: KnotServer, tmp_path: Path) -> None:
    path = write(tmp_path, "plain.eml", delivered(message(), "orders@shop.test"))
    assert verify(cli, knot, path, "--format", "json")["exit"] == 1
    document = verify(cli, knot, path, "--format", "json", "--ip", "127.77.0.9")
    assert document["exit"] == 0
    spf = document["extras"]["message_verification"]["spf"]  # type: ignore[index]
    assert (spf["result"], spf["aligned"], spf["ip_source"]) == ("pass", True, "command line")


def test_the_manifest_network_is_used(cli: CliRun, knot: KnotServer, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.eml", sign(message(), SHOP_KEY, "shop.test"))
    manifest = tmp_path / "launchready.yaml"
    manifest.write_text(
        f"site: {{domain: shop.test}}\nnetwork: {{nameservers: ['{knot.nameserver}']}}\n"
    )
    explicit = cli("email", "verify-message", path, "-m", manifest, "--format", "json")
    assert explicit.returncode == 0, explicit.stderr
    implicit = cli("email", "verify-message", path.name, "--format", "json")  # ./launchready.yaml
    assert implicit.returncode == 0, implicit.stderr
    assert json.loads(implicit.stdout)["findings"] == []


def test_the_report_goes_to_the_output_file(cli: CliRun, knot: KnotServer, tmp_path: Path) -> None:
    path = write(tmp_path, "esp.eml", sign(message(), ESP_KEY, "esp.test"))
    out = tmp_path / "report.md"
    result = cli("email", "verify-message", path, "--nameserver", knot.nameserver, "-o", out)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "email.alignment-failed" in out.read_text()


@pytest.mark.parametrize(
    ("args", "message_part"),
    [
        (["missing.eml"], "cannot read"),
        (["binary.eml"], "not an email message"),
        (["ok.eml", "--ip", "not-an-ip"], "--ip"),
        (["ok.eml", "--nameserver", "dns.example:53"], "--nameserver"),
        (["ok.eml", "-m", "nowhere.yaml"], "nowhere.yaml"),
        (["ok.eml", "--fail-on", "sometimes"], "--fail-on"),
    ],
    ids=["missing", "binary", "bad-ip", "bad-nameserver", "bad-manifest", "bad-fail-on"],
)
def test_bad_input_exits_2_with_one_message(
    cli: CliRun, tmp_path: Path, args: list[str], message_part: str
) -> None:
    write(tmp_path, "binary.eml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path, "ok.eml", message())
    result = cli("email", "verify-message", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message_part in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_lists_the_command(cli: CliRun) -> None:
    result = cli("email", "--help")
    assert result.returncode == 0
    assert "verify-message" in result.stdout


def test_dns_that_cannot_answer_exits_3(cli: CliRun, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.eml", sign(message(), SHOP_KEY, "shop.test"))
    result = cli(
        "email", "verify-message", path, "--nameserver", "127.0.0.1:9", "--timeout", "500ms"
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "_dmarc.shop.test" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("fixed", "code"), [(False, 1), (True, 0)], ids=["flawed", "fixed"])
def test_the_demo_order_confirmation(cli: CliRun, tmp_path: Path, fixed: bool, code: int) -> None:
    with DemoStore(tmp_path / "demo", fixed=fixed) as store:
        result = cli(
            "email",
            "verify-message",
            store.sample_message_path,
            "-m",
            store.manifest_path,
            "--format",
            "json",
        )
    assert result.returncode == code, result.stderr
    document = json.loads(result.stdout)
    assert document["site"] == "demo-candles.test"
    assert [f["id"] for f in document["findings"]] == (["email.alignment-failed"] if code else [])
