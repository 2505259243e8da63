"""The manifest's operations sections: ``dependencies`` and the build and drill of ``deploy``.

They point the active commands at the demo's staging side: ``launchready chaos`` listens on
each dependency's ``listen`` port and forwards to its ``upstream`` (the demo's SMTP and
LLM servers); ``launchready deploy drill`` switches ``releases/current`` with the drill's
shell commands (run from the manifest's folder) and smoke-tests ``base_url``;
``launchready deploy check`` runs ``build`` in a clean clone of the demo repository with
only ``build_env`` and scans ``artifacts``. No audit area reads these fields, so adding
them leaves the audit of the demo as it was.
"""

from __future__ import annotations

from typing import Any

from launchready.demo.build import ARTIFACTS, BUILD_COMMAND, BUILD_ENV
from launchready.demo.releases import drill_commands
from launchready.demo.sockets import LOOPBACK
from launchready.demo.stagingsite import StagingPorts

DRILL_BUDGET = "60s"
"""Rollback plus smoke of the demo take well under a second; a minute is plenty."""


def dependencies(ports: StagingPorts) -> list[dict[str, Any]]:
    return [
        {
            "name": "email-provider",
            "listen": f"{LOOPBACK}:{ports.mail_listen}",
            "upstream": f"{LOOPBACK}:{ports.smtp}",
            "used_by": ["checkout-session"],
        },
        {
            "name": "llm",
            "listen": f"{LOOPBACK}:{ports.llm_listen}",
            "upstream": f"{LOOPBACK}:{ports.llm}",
            "used_by": ["chatbot"],
            "awaited": True,
            "cacheable": True,
        },
    ]


def deploy_fields(fixed: bool, ports: StagingPorts) -> dict[str, Any]:
    """The ``deploy`` fields beyond the documented steps: build, artifacts, drill."""
    deploy, rollback = drill_commands(fixed)
    return {
        "build": BUILD_COMMAND,
        "artifacts": list(ARTIFACTS),
        "build_env": BUILD_ENV,
        "drill": {
            "base_url": ports.base_url,
            "deploy": deploy,
            "rollback": rollback,
            "budget": DRILL_BUDGET,
        },
    }
