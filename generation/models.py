"""Brand kits, catalog, asset library, jobs, renders and backends."""
