"""The uptime monitor: probes on a schedule, incidents and alerts, heartbeats, the store,
the dashboard and the status page (``launchready monitor``)."""
