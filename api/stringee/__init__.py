"""stringee: see docs/architecture.md."""
