"""The Cloudflare zone as its API describes it (area ``cloudflare`` of checks.md).

:mod:`.read` reads the zone through the official SDK, read-only; :mod:`.ratelimit` decides
which paths a rate-limiting rule's expression covers; :mod:`.findings` turns the zone into
``cloudflare.*`` findings; :mod:`.join` merges them with what the edge area saw from
outside, so one problem is reported once.
"""
