"""The manifest loader: valid manifests load, every kind of bad input names file, line, field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from launchready.errors import ManifestError
from launchready.manifest import load_manifest

FULL = Path(__file__).parent / "full.yaml"


def test_the_spec_example_loads_with_every_section() -> None:
    env = {
        "ORDER_API_TOKEN": "tok-123456",
        "SMOKE_PASSWORD": "hunter22",
        "DATABASE_URL_READONLY": "postgresql://ro:pw@127.0.0.1/shop",
        "CLOUDFLARE_API_TOKEN": "cf-token-abcdef",
    }
    manifest = load_manifest(FULL, environ=env)
    assert manifest.site.domain == "acme-candles.com"
    assert [r.name for r in manifest.routes][:2] == ["home", "product"]
    cart = next(r for r in manifest.routes if r.name == "cart")
    assert cart.budget == 0.5
    assert next(r for r in manifest.routes if r.name == "home").budget == 0.3
    assert manifest.routes[3].json_body == {"cart_id": "demo-cart"}
    assert manifest.redirects[0].from_url == "http://acme-candles.com/"
    assert manifest.monitor is not None and manifest.monitor.cert_warning == 14 * 86400
    assert manifest.deploy is not None and manifest.deploy.drill is not None
    assert manifest.deploy.drill.budget == 600
    assert manifest.network.resolve["www.acme-candles.com:443"] == "127.0.0.1:8443"
    order = next(r for r in manifest.routes if r.name == "order-status")
    assert order.headers["Authorization"] == "Bearer tok-123456"
    assert manifest.secret_values["tok-123456"] == "ORDER_API_TOKEN"
    assert "chat.acme-candles.com" in manifest.audited_hosts()
    assert "staging.acme-candles.com" not in manifest.audited_hosts()


def test_only_site_domain_is_required(minimal_manifest: Path) -> None:
    manifest = load_manifest(minimal_manifest)
    assert manifest.site.domain == "shop.test"
    assert manifest.routes == [] and manifest.dns is None


def _error(
    write: Callable[[str], Path], text: str, environ: dict[str, str] | None = None
) -> ManifestError:
    path = write(text)
    with pytest.raises(ManifestError) as info:
        load_manifest(path, environ=environ or {})
    return info.value


def test_unknown_key_names_line_field_and_nearest_key(
    write_manifest: Callable[[str], Path],
) -> None:
    error = _error(
        write_manifest,
        """
        site:
          domain: shop.test
        email:
          dkim_selectors: [s1]
          reciever_mail: true
    """,
    )
    assert error.line == 5
    assert error.field == "email.reciever_mail"
    assert "did you mean 'receives_mail'" in str(error)
    assert str(error).startswith(f"{error.path}:5: email.reciever_mail:")


def test_unknown_top_level_section_lists_nothing_wrong(
    write_manifest: Callable[[str], Path],
) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        rotues:
          - {name: home, url: "https://shop.test/"}
    """,
    )
    assert (error.line, error.field) == (2, "rotues")
    assert "did you mean 'routes'" in str(error)


def test_wrong_type_names_the_list_index(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        routes:
          - name: home
            url: https://shop.test/
          - name: cart
            url: https://shop.test/cart
            checkout: definitely
    """,
    )
    assert error.field == "routes[1].checkout"
    assert error.line == 7


def test_a_bare_number_is_not_a_duration(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        routes:
          - {name: home, url: "https://shop.test/", budget_p95: 300}
    """,
    )
    assert error.field == "routes[0].budget_p95"
    assert "unit" in str(error)


def test_relative_url_is_rejected(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        routes:
          - {name: home, url: /}
    """,
    )
    assert error.field == "routes[0].url"
    assert "absolute" in str(error)


def test_missing_required_domain(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site:
          name: Shop
    """,
    )
    assert error.field == "site.domain"
    assert error.line == 1
    assert "required" in str(error)


def test_broken_yaml_gives_the_line(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site:
          domain: shop.test
        routes:
          - {name: home, url: "https://shop.test/"
    """,
    )
    assert error.line is not None and error.line >= 4
    assert "not valid YAML" in str(error)


def test_missing_variable_names_it_and_never_sends_empty(
    write_manifest: Callable[[str], Path],
) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        routes:
          - name: orders
            url: https://api.shop.test/orders
            headers: {Authorization: "Bearer ${ORDER_API_TOKEN}"}
    """,
    )
    assert "ORDER_API_TOKEN is not set" in str(error)
    assert error.line == 5
    assert error.field == "routes[0].headers.Authorization"


def test_dollar_dollar_is_a_literal_dollar(write_manifest: Callable[[str], Path]) -> None:
    path = write_manifest("""
        site: {domain: shop.test, name: "Price $$5 ${SHOP}"}
    """)
    manifest = load_manifest(path, environ={"SHOP": "Acme"})
    assert manifest.site.name == "Price $5 Acme"


def test_duplicate_keys_and_duplicate_route_names(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        site: {domain: other.test}
    """,
    )
    assert error.line == 2 and "twice" in str(error)
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        routes:
          - {name: home, url: "https://shop.test/"}
          - {name: home, url: "https://shop.test/x"}
    """,
    )
    assert "unique" in str(error)


def test_missing_file_and_empty_file(tmp_path: Path, write_manifest: Callable[[str], Path]) -> None:
    with pytest.raises(ManifestError, match="no such file"):
        load_manifest(tmp_path / "nope.yaml")
    with pytest.raises(ManifestError, match="empty"):
        load_manifest(write_manifest(""))


def test_several_problems_are_listed_together(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test, cdn: akamai}
        monitor: {alert_after: 0, intervall: 60s}
    """,
    )
    text = str(error)
    assert "site.cdn" in text and "monitor.alert_after" in text and "monitor.intervall" in text


def test_nameservers_and_resolve_are_validated(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        network:
          nameservers: ["ns1.example:53"]
    """,
    )
    assert error.field == "network.nameservers"
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        network:
          resolve: {"www.shop.test": "127.0.0.1:8443"}
    """,
    )
    assert "host:port" in str(error)


def test_relative_paths_resolve_against_the_manifest_folder(minimal_manifest: Path) -> None:
    manifest = load_manifest(minimal_manifest)
    assert manifest.resolve_path("ca.pem") == minimal_manifest.parent.resolve() / "ca.pem"


def test_unknown_email_sender_names_the_line_and_the_nearest(
    write_manifest: Callable[[str], Path],
) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        email:
          senders: [google-workspace, sendgird]
    """,
    )
    assert error.field == "email.senders"
    assert error.line == 3
    assert "sendgrid" in str(error)


def test_route_conditions_are_checked_when_the_manifest_loads(
    write_manifest: Callable[[str], Path],
) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        routes:
          - {name: home, url: "https://shop.test/", conditions: ["[STATUS] === 200"]}
        """,
    )
    assert error.field == "routes[0].conditions"
    assert error.line == 3
    assert "[STATUS] === 200" in str(error)


def test_a_dashboard_password_needs_its_user(write_manifest: Callable[[str], Path]) -> None:
    error = _error(
        write_manifest,
        """
        site: {domain: shop.test}
        monitor:
          quorum: 2
          dashboard: {password: "${DASH}"}
        """.replace("${DASH}", "hunter2"),
    )
    assert (error.field, error.line) == ("monitor.dashboard", 4)
    assert "username and password together" in str(error)
