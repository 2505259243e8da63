"""The founder's handover: one page that leaves them in control (``launchready handover``)."""
