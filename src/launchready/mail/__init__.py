"""Email authentication: SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC 7489), MTA-STS, TLS-RPT.

The record parsers and evaluators used by the ``email`` audit area and by
``launchready email verify-message``. All DNS goes through :class:`launchready.net.Resolver`.
"""
