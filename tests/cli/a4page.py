"""A handover page opened in Debian's Chromium as it prints on A4, and the one-page check
every handover test makes of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Page, async_playwright

from launchready.chat.browser import chromium_args, find_chromium
from launchready.pdf import A4_MM, MM

WIDTH, HEIGHT = ((side - 20) * MM for side in A4_MM)  # A4 less 10 mm margins


@asynccontextmanager
async def a4_page(page_file: Path) -> AsyncIterator[Page]:
    """``page_file`` in print media on an A4 viewport; asserts on leaving that nothing
    sticks out sideways and that it fits one page without shrinking the type."""
    chromium = find_chromium()
    assert chromium is not None, "scripts/test installs Debian's chromium"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=chromium_args("EXCLUDE localhost")
        )
        try:
            page = await browser.new_page(viewport={"width": int(WIDTH), "height": int(HEIGHT)})
            await page.emulate_media(media="print")
            await page.goto(page_file.as_uri())
            yield page
            size = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
                " document.documentElement.scrollHeight]"
            )
            assert size[0] <= size[1], "nothing sticks out sideways"
            assert size[2] <= HEIGHT, "one page without shrinking the type"
        finally:
            await browser.close()
