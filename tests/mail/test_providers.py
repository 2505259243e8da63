"""The providers table: every name resolves, an unknown one is the user's error with a hint."""

from __future__ import annotations

import pytest

from launchready.errors import InputError
from launchready.mail.providers import Provider, providers, resolve_sender
from launchready.manifest.models import IncludeSender

EXPECTED = [
    ("google-workspace", "_spf.google.com"),
    ("microsoft-365", "spf.protection.outlook.com"),
    ("shopify", "shops.shopify.com"),
    ("sendgrid", "sendgrid.net"),
    ("mailgun", "mailgun.org"),
    ("postmark", "spf.mtasv.net"),
    ("amazon-ses", "amazonses.com"),
    ("klaviyo", "_spf.klaviyomail.com"),
    ("mailchimp", "servers.mcsv.net"),
    ("mandrill", "spf.mandrillapp.com"),
    ("zoho", "zoho.com"),
]


@pytest.mark.parametrize(("name", "include"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_known_providers(name: str, include: str) -> None:
    provider = resolve_sender(name)
    assert provider.name == name
    assert provider.include == include
    assert provider.display and provider.docs and provider.docs.startswith("https://")


def test_the_table_is_well_formed() -> None:
    table = providers()
    assert set(table) == {name for name, _ in EXPECTED}
    for provider in table.values():
        assert provider.includes, provider.name
        assert all(i == i.lower() and "." in i and " " not in i for i in provider.includes)


def test_zoho_accepts_every_regional_include() -> None:
    assert {"zoho.com", "zohomail.com", "zoho.eu", "zohomail.eu", "zoho.in"} <= set(
        resolve_sender("zoho").includes
    )


def test_names_are_case_insensitive() -> None:
    assert resolve_sender(" SendGrid ").name == "sendgrid"


def test_an_include_sender_is_its_own_provider() -> None:
    provider = resolve_sender(IncludeSender(include="spf.Example.net"))
    assert provider == Provider("include:spf.example.net", "spf.example.net", ("spf.example.net",))


@pytest.mark.parametrize(
    ("typo", "hint"),
    [("sendgird", "'sendgrid'"), ("google-workspce", "'google-workspace'"), ("postfix", None)],
)
def test_unknown_names_are_an_input_error(typo: str, hint: str | None) -> None:
    with pytest.raises(InputError) as caught:
        resolve_sender(typo)
    message = str(caught.value)
    assert repr(typo) in message and "google-workspace, microsoft-365" in message
    assert "{include:" in message
    if hint is None:
        assert "Did you mean" not in message
    else:
        assert f"Did you mean {hint}?" in message
