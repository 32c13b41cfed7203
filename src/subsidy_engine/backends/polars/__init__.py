"""The Polars backend: typed trees -> Polars expressions; a table of profiles -> result columns."""
