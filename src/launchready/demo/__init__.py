"""The embedded demo store: a candle shop with its AI chatbot, on loopback only.

``launchready demo`` starts it, audits it and stops it. It is a real store in
miniature (an authoritative DNS server, HTTPS hosts chosen by SNI under a demo CA, the
shop, its API and chatbot, a git repository, environment files, an access log) with the
flaws a demo-stage store really has, listed in :data:`FLAWS`. ``fixed=True`` starts the
same store with every flaw repaired, whose audit must come out clean.

Beside it runs a staging store for the active commands (:mod:`.staging`): releases behind
a ``current`` symlink for ``deploy drill``, an email provider and an LLM service behind
the ``dependencies`` addresses for ``chaos``, and a build in the repository for
``deploy check``.
"""

from __future__ import annotations

from launchready.demo.flaws import FLAWS, Flaw
from launchready.demo.store import DemoStore

__all__ = ["FLAWS", "DemoStore", "Flaw"]
