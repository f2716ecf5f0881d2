"""tilekit: scaffold and validate Datadog integration tiles."""

__version__ = "0.1.0"
