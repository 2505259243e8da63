"""Speed: the light-traffic probe, page scores from Lighthouse, and (in ``load/``) the
load test, each held to the roadmap's budgets."""
