"""Spreadsheet kinds. Each module registers its exporter/importer when imported (AppConfig.ready)."""
