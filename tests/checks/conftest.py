"""The embedded demo store, flawed and fixed, shared by the area tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from launchready.demo import DemoStore


@pytest.fixture(scope="session")
def flawed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The manifest path of a running flawed demo store."""
    with DemoStore(tmp_path_factory.mktemp("flawed")) as store:
        yield store.manifest_path


@pytest.fixture(scope="session")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The manifest path of a running fixed demo store."""
    with DemoStore(tmp_path_factory.mktemp("fixed"), fixed=True) as store:
        yield store.manifest_path
