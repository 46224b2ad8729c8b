"""Reports and exports of stored runs (see :mod:`engine.report.html` and :mod:`engine.report.exports`)."""

from engine.report.context import RunContext
from engine.report.exports import (checkpoints_csv, embedding_npy, embedding_parquet, figures, labels_csv, labels_frame,
                                   write_all)
from engine.report.html import SECTIONS, build

__all__ = ["RunContext", "build", "SECTIONS", "labels_csv", "checkpoints_csv", "labels_frame", "embedding_npy",
           "embedding_parquet", "figures", "write_all"]
