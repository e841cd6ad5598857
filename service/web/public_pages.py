"""Public pages: forms anyone may send (no sign-in), rate-limited per address, with a honeypot."""
