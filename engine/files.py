"""Files written whole or not at all."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Write into a staging file beside ``path`` that replaces it once written and flushed to disk: a kill
    mid-write leaves the previous file (or none), never half of one. Nothing replaces ``path`` on an error."""
    path = Path(path)
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    try:
        with open(staging, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
