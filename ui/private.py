"""Files in the data directory that only their owner may read: the keys a server keeps."""

from __future__ import annotations

import os
from pathlib import Path


def create_private(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``, readable and writable by its owner only, from its first
    byte (never a moment with wider permissions). FileExistsError if it is there already."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(text)
