"""The monitor tests' shared fixture: a running lab (tests/monitor/lab.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.monitor.lab import Lab, running_lab


@pytest.fixture
async def lab() -> AsyncIterator[Lab]:
    async with running_lab() as state:
        yield state
