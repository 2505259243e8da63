"""Run a benchmark only inside a private network namespace holding nothing but loopback.

Every bench script calls :func:`isolate` first: outside the namespace it re-runs itself
there (as root, with ``unshare``) and exits with that run's status, so no benchmark can
send a packet anywhere but this machine.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

ISOLATED = "LAUNCHREADY_BENCH_ISOLATED"


def isolate(*, private_mounts: bool = False) -> None:
    """Return when already isolated; otherwise re-run this command isolated and exit.
    ``private_mounts`` adds a mount namespace (for a bench that bind-mounts /etc/hosts)."""
    if os.environ.get(ISOLATED) == "1":
        return
    command = "ip link set lo up && exec " + shlex.join([sys.executable, *sys.argv])
    unshare = ["unshare", "--net"]
    if private_mounts:
        unshare += ["--mount", "--propagation", "private"]
    env = {**os.environ, ISOLATED: "1"}
    sys.exit(subprocess.call([*unshare, "--", "sh", "-c", command], env=env))
