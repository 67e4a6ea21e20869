"""Signing in: throttled password sign-in, password resets, and (in mfa) one-time codes."""
