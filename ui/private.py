"""Files in the data directory that only their owner may read: the keys a server keeps."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "chat.key"  # in the data directory: the key of the chats browsers keep (``chat_key``)


def create_private(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``, readable and writable by its owner only, from its first
    byte (never a moment with wider permissions). FileExistsError if it is there already."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(text)


def chat_key(data_dir: Path) -> str:
    """The key a server encrypts the chats browsers keep with, in ``DATA_DIR/chat.key`` (readable
    by its owner only; made on first use), so a restarted server can read them back."""
    path = data_dir / KEY_FILE
    try:
        create_private(path, secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_text().strip()
