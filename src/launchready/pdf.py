"""HTML to PDF with the system's Chromium (Playwright's print-to-PDF).

Chromium is already how launchready tests pages and drives chat widgets, so printing with
it adds no dependency and lays out exactly what the HTML report shows in a browser. The
page is loaded from a string under a CSP that forbids every fetch: nothing leaves the
machine while printing.
"""

from __future__ import annotations

from launchready.chat.browser import chromium_args, find_chromium
from launchready.errors import InputError

PRINT_TIMEOUT_S = 30.0
MM = 96 / 25.4
"""CSS pixels per millimetre."""
A4_MM = (210.0, 297.0)
MIN_SCALE = 0.6
"""Below this the type gets too small to read on paper: print on two pages instead."""


async def html_to_pdf(html: str, *, one_page: bool = False, margin_mm: float = 10.0) -> bytes:
    """``html`` printed as A4 with ``margin_mm`` margins. With ``one_page`` the content is
    laid out at the page's printable width first and, if taller than one page, printed
    scaled down to fit (down to :data:`MIN_SCALE`): the handover must stay one sheet."""
    chromium = find_chromium()
    if chromium is None:
        raise InputError(
            "PDF output needs Chromium: apt-get install chromium (or set LAUNCHREADY_CHROMIUM)"
        )
    try:
        from playwright.async_api import async_playwright
    except ModuleNotFoundError:
        raise InputError(
            "PDF output needs Playwright: pip install 'launchready[browser]'"
        ) from None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium),
            headless=True,
            args=chromium_args("EXCLUDE localhost"),
            timeout=PRINT_TIMEOUT_S * 1000,
        )
        try:
            width, height = ((side - 2 * margin_mm) * MM for side in A4_MM)
            page = await browser.new_page(viewport={"width": int(width), "height": int(height)})
            await page.emulate_media(media="print")
            await page.set_content(html, wait_until="load", timeout=PRINT_TIMEOUT_S * 1000)
            scale = 1.0
            if one_page:
                tall = await page.evaluate("document.documentElement.scrollHeight")
                scale = max(MIN_SCALE, min(1.0, 0.98 * height / max(float(tall), 1.0)))
            margin = f"{margin_mm}mm"
            return await page.pdf(
                format="A4",
                print_background=True,
                scale=scale,
                margin={"top": margin, "bottom": margin, "left": margin, "right": margin},
            )
        finally:
            await browser.close()
