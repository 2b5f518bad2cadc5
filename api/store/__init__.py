"""The controller's store: SQLite by default, PostgreSQL for several instances."""
