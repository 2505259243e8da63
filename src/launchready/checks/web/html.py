"""The subresources a page makes the browser load, read from its HTML.

Mixed content and static caching both start from the same question: which files does
this page pull in? Only what a browser fetches automatically counts (images, scripts,
styles, frames, media, plugins, form targets, CSS ``url()``); a plain ``<a href>`` link is
the shopper's choice and is never a subresource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

Kind = Literal["image", "script", "style", "font", "frame", "media", "object", "form", "other"]
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)
FONT_EXT = (".woff2", ".woff", ".ttf", ".otf", ".eot")
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico")
MAX_HTML_CHARS = 2_000_000
"""Parse at most this much of a page: a hostile page may be megabytes of markup."""


@dataclass(frozen=True)
class Ref:
    """One subresource: its absolute URL, where the page names it, and what it is."""

    url: str
    where: str
    kind: Kind

    @property
    def insecure(self) -> bool:
        return urlsplit(self.url).scheme == "http"


_LINK_KINDS: dict[str, Kind] = {
    "stylesheet": "style",
    "icon": "image",
    "apple-touch-icon": "image",
    "preload": "other",
    "modulepreload": "script",
}
_PRELOAD_AS: dict[str, Kind] = {
    "style": "style",
    "script": "script",
    "font": "font",
    "image": "image",
}
_SRC_TAGS: dict[str, Kind] = {
    "img": "image",
    "script": "script",
    "iframe": "frame",
    "frame": "frame",
    "audio": "media",
    "video": "media",
    "source": "media",
    "track": "media",
    "embed": "object",
}


def subresources(html: str, base: str) -> list[Ref]:
    """Every subresource of ``html`` (a page at ``base``), in document order, each once."""
    tree = LexborHTMLParser(html[:MAX_HTML_CHARS])
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base = urljoin(base, (base_tag.attributes.get("href") or "").strip())
    refs: list[Ref] = []

    def add(value: str | None, where: str, kind: Kind) -> None:
        value = (value or "").strip()
        if value and not value.lower().startswith(("data:", "javascript:", "about:", "#")):
            refs.append(Ref(urljoin(base, value), where, _refine(kind, value)))

    for node in tree.css("img, script, iframe, frame, audio, video, source, track, embed"):
        tag = node.tag or ""
        add(node.attributes.get("src"), f"<{tag} src>", _SRC_TAGS.get(tag, "other"))
        for candidate in _srcset(node.attributes.get("srcset")):
            add(candidate, f"<{tag} srcset>", "image")
        if tag == "video":
            add(node.attributes.get("poster"), "<video poster>", "image")
    for node in tree.css("link[href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        kind = next((_LINK_KINDS[r] for r in rels if r in _LINK_KINDS), None)
        if kind is None:
            continue
        if "preload" in rels:
            kind = _PRELOAD_AS.get((node.attributes.get("as") or "").lower(), "other")
        add(node.attributes.get("href"), f"<link rel={'/'.join(rels)}>", kind)
    for node in tree.css("object[data]"):
        add(node.attributes.get("data"), "<object data>", "object")
    for node in tree.css("form[action], input[type=image][src]"):
        attr, kind = ("action", "form") if node.tag == "form" else ("src", "image")
        add(node.attributes.get(attr), f"<{node.tag} {attr}>", kind)
    for node in tree.css("[style]"):
        for value in css_urls(node.attributes.get("style") or ""):
            add(value, f"<{node.tag} style>", "image")
    for node in tree.css("style"):
        for value in css_urls(_text(node)):
            add(value, "<style>", "image")
    return list({(r.url, r.where): r for r in refs}.values())


def css_urls(css: str) -> list[str]:
    """The ``url(...)`` and ``@import`` targets of a stylesheet or style attribute."""
    return [m.group(2) or m.group(4) for m in CSS_URL.finditer(css)]


def stylesheet_refs(css: str, base: str) -> list[Ref]:
    """Files a stylesheet at ``base`` loads (fonts, images, imported sheets)."""
    refs = []
    for value in css_urls(css):
        if not value.lower().startswith("data:"):
            refs.append(Ref(urljoin(base, value), "stylesheet url()", _refine("image", value)))
    return refs


def _refine(kind: Kind, value: str) -> Kind:
    """Fonts and images named in CSS or preloads are recognised by their extension."""
    path = urlsplit(value).path.lower()
    if path.endswith(FONT_EXT):
        return "font"
    if path.endswith(".css") and kind in ("image", "other"):
        return "style"
    if path.endswith(IMAGE_EXT) and kind == "other":
        return "image"
    return kind


def _srcset(value: str | None) -> list[str]:
    return [part.strip().split()[0] for part in (value or "").split(",") if part.strip()]


def _text(node: LexborNode) -> str:
    return node.text(deep=True) or ""
