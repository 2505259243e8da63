"""launchready: take a founder-led store and its AI chatbot from demo to launch.

One manifest describes the store; one audit prints a ranked risk list. Everything the
command line does is a library call: see :func:`launchready.runner.run_audit`.
"""

from __future__ import annotations

__version__ = "0.1.0"
