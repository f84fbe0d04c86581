"""Reference data of the industry domain (TOML and CSV files with their sources)."""
