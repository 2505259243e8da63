"""The storefront's build: a script in the demo repository and the CI's environment file.

``deploy.build`` is ``sh scripts/build.sh``: plain POSIX shell (no npm, no network), so
``launchready deploy check`` can really run it in a clean clone. It copies ``public/`` to
``dist/`` and writes ``dist/config.js``, the settings the storefront's script reads in the
browser. ``set -u`` makes a variable missing from ``deploy.build_env`` fail the build.

The flawed script puts ``STRIPE_SECRET_KEY`` in ``config.js`` where Stripe.js wants the
publishable key, and the CI's ``.env.ci`` holds the live secret key for it to read, so
the live key ships to every visitor (``secrets.in-build``). The fixed script reads
``STRIPE_PUBLISHABLE_KEY`` (``pk_live_...``, public by design) and ``.env.ci`` holds no
secret. The env file lives with the others, outside the repository, as a CI's variables
do; the audit never reads it.
"""

from __future__ import annotations

import secrets
import string
from pathlib import Path

from launchready.demo.settings import DemoSettings

BUILD_COMMAND = "sh scripts/build.sh"
ARTIFACTS = ("dist/",)
BUILD_ENV = "envs/.env.ci"
"""Relative to the manifest's folder."""
PUBLISHABLE_PREFIX = "pk_" + "live_"

_SCRIPT = """\
#!/bin/sh
# Build the static storefront into dist/, which the host serves as is.
set -eu
rm -rf dist
mkdir -p dist
cp -R public/. dist/
cat > dist/config.js <<EOF
window.DEMO_CANDLES = {{
  apiUrl: "${{PUBLIC_API_URL}}",
  stripeKey: "${{{stripe_variable}}}"
}};
EOF
echo "built dist/ for ${{PUBLIC_API_URL}}"
"""

_INDEX = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Demo Candles</title></head>
<body>
<h1>Demo Candles</h1>
<script src="/config.js"></script>
<script src="https://js.stripe.com/v3/"></script>
</body>
</html>
"""


def repo_files(fixed: bool) -> dict[str, str]:
    """The files the build adds to the repository (committed in one commit)."""
    variable = "STRIPE_PUBLISHABLE_KEY" if fixed else "STRIPE_SECRET_KEY"
    return {
        "scripts/build.sh": _SCRIPT.format(stripe_variable=variable),
        "public/index.html": _INDEX,
    }


def write_build_env(settings: DemoSettings, workdir: Path) -> Path:
    """``envs/.env.ci``: the only variables the clean build gets."""
    values = {"PUBLIC_API_URL": f"https://{settings.api}"}
    if settings.fixed:
        alphabet = string.ascii_letters + string.digits
        values["STRIPE_PUBLISHABLE_KEY"] = PUBLISHABLE_PREFIX + "".join(
            secrets.choice(alphabet) for _ in range(24)
        )
    else:
        values["STRIPE_SECRET_KEY"] = settings.credentials.stripe_live
    path = workdir / BUILD_ENV
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return path
