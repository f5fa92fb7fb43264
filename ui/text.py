"""Text as a line of a listing shows it: what the command line prints and the page's buttons say."""

from __future__ import annotations


def shorter(text: str, most: int = 160) -> str:
    """``text`` on one line, cut to ``most`` characters: ``shorter("a\\nb")`` is ``"a b"``.

    >>> shorter("The lamp  was\\nlit at dusk.", 12)
    'The lamp wa…'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 1].rstrip() + "…"
