"""How big the data may be: every limit in one place, each far above any real record.

A merged record reaches every visitor's phone, so a mistake (or a prank) must not
be able to publish a 20 MB page or crash the build. The editors' guide lists the
same numbers (docs/editors.md, "安全"); the models in ``records.py`` carry the
field lengths into the JSON Schema, so editors' tools know them too.
"""

from __future__ import annotations

# --- files (checked before a file is parsed) ------------------------------------------
# A station file is about 2 KB and a long story under 60 KB.
MAX_FILE_BYTES = 256 * 1024
# A file that lists records (organisations, volunteer projects and teams, statements, synonyms)
# may grow with the district: up to about 2,000 records of 1 KB.
MAX_LIST_FILE_BYTES = 2 * 1024 * 1024
# Levels of mappings and lists inside each other. The deepest real field is
# hours.weekly[0].periods[0] (5 levels); without a limit, YAML nested 1,000 deep crashes the parser.
MAX_DEPTH = 20

# --- text fields (characters after trimming; checked by the models) -------------------
MAX_NAME_CHARS = 100  # names, titles, labels
MAX_TEXT_CHARS = 500  # other plain text: addresses, summaries, notes, steps …
MAX_MARKDOWN_CHARS = 20_000  # Markdown: description, body, activities, how_to_join
MAX_KEY_CHARS = 40  # vocabulary keys such as first_aid
MAX_ID_CHARS = 80  # ids and references to them, such as 2025-party-building-instructors
MAX_PATH_CHARS = 300  # image paths
MAX_URL_CHARS = 2_000

# --- station photos (checked from the file's size and header, before it is decoded) -----
# A phone photo is 2–6 MB and 12–50 megapixels; the build makes 1,440 px wide copies of it.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000
