"""Rules of the industry domain as data: one TOML file per edition, registered in ``index.toml``."""
