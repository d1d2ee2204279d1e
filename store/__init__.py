"""neican's store: parsing, the SQLite library, search, entities, notes and export.

Pure Python with no UI dependency: usable from any script.
"""
