"""Loaders: built-in demos, image folders / zips / uploads, and feature tables."""

from __future__ import annotations

import os
from pathlib import Path

from engine.data.dataset import Dataset, DataError, ValidationReport
from engine.data.demo import DEMOS
from engine.data.images import Limits, load_files, load_folder, load_zip
from engine.data.tables import load_csv, load_npz
from engine.progress import Reporter

__all__ = ["Dataset", "DataError", "ValidationReport", "Limits", "DEMOS", "load",
           "load_folder", "load_zip", "load_files", "load_csv", "load_npz"]

FILE_LOADERS = {".zip": load_zip, ".npz": load_npz, ".csv": load_csv}


def load(source: str | os.PathLike, image_size: int = 64, reporter: Reporter | None = None) -> Dataset:
    """A demo name (``digits``), a folder of images, or a ``.zip`` / ``.npz`` / ``.csv`` file."""
    text = str(source)
    if text in DEMOS:
        return DEMOS[text]()
    path = Path(source).expanduser()
    if path.is_dir():
        return load_folder(path, image_size=image_size, reporter=reporter)
    if not path.exists():
        raise DataError(f"{text!r} is neither a demo ({', '.join(DEMOS)}) nor an existing file or folder")
    loader = FILE_LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DataError(f"cannot read {path.name}: expected a folder or one of {', '.join(FILE_LOADERS)}")
    if loader is load_zip:
        return load_zip(path, image_size=image_size, reporter=reporter)
    return loader(path)
