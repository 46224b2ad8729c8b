"""The in-memory dataset every loader returns, with its validation report."""

from __future__ import annotations

import codecs
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np


class DataError(ValueError):
    """Input that cannot become a dataset; the message is shown to the user as is."""


@dataclass
class ValidationReport:
    """What a loader found, kept, and skipped (with the reason for each skipped item)."""

    n_found: int = 0
    n_loaded: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, name: str, reason: str) -> None:
        self.skipped.append((name, reason))

    def skipped_why(self, count: int = 3) -> str:
        """The commonest reasons files were skipped, each with how many and a first example:
        "12 too small to show anything (e.g. a.png: 2×400 px)"."""
        from collections import Counter

        kinds = Counter(reason.split(":")[0] for _, reason in self.skipped)
        first = {}
        for name, reason in self.skipped:
            first.setdefault(reason.split(":")[0], (name, reason))
        return "; ".join(f"{n} {kind}" + (f" (e.g. {first[kind][0]}: {first[kind][1][len(kind) + 1:].strip()})"
                                          if first[kind][1] != kind else f" (e.g. {first[kind][0]})")
                         for kind, n in kinds.most_common(count))

    def as_dict(self) -> dict:
        return {"n_found": self.n_found, "n_loaded": self.n_loaded,
                "skipped": [list(s) for s in self.skipped], "notes": list(self.notes)}


@dataclass
class Dataset:
    """Items to cluster: images (uint8, ``n×H×W×3``), a feature table (``n×d``), time series
    (``n×T`` float, NaN-padded where series are shorter) or the nodes of a graph (``graph``, a
    networkx graph whose nodes are the items, in ``item_names`` order).

    ``labels`` are optional ground-truth class indices into ``class_names``; they
    are used for colouring and external scores only, never for fitting. ``masks``
    (``n×H×W`` bool) are optional true object masks, for scoring attention maps.
    ``original_sizes`` (``n×2``: width, height) are the image files' own sizes, where they came from files;
    the demos' images are their own originals. ``sources`` are the paths of the image files themselves (a folder's
    own files, never copied; an archive's or upload's files unpacked once into the originals store), for showing
    and exporting the originals; ``None`` where the images exist only in memory (digits, MNIST).
    """

    name: str
    item_names: list[str]
    images: np.ndarray | None = None
    table: np.ndarray | None = None
    labels: np.ndarray | None = None
    class_names: list[str] | None = None
    report: ValidationReport = field(default_factory=ValidationReport)
    grayscale: bool = False
    masks: np.ndarray | None = None
    mirror_safe: bool = True  # False where a mirror image means something else (digits, text): no flip augmentation
    series: np.ndarray | None = None
    graph: Any = None  # networkx.Graph
    original_sizes: np.ndarray | None = None  # images: each file's (width, height) before it was resized
    sources: list[str] | None = None  # images: each item's original file (an absolute path)
    columns: list[str] | None = None  # tables: each feature column's name, in the table's order
    # tables: columns of text categories that are not features (nor the label), by name: each item's value, to colour
    # the map by
    attributes: dict[str, list[str]] | None = None
    label_column: str | None = None  # tables: the column the labels came from
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.item_names)
        for array_name in ("images", "table", "labels", "masks", "series", "original_sizes", "sources"):
            array = getattr(self, array_name)
            if array is not None and len(array) != n:
                raise ValueError(f"{array_name} has {len(array)} rows, expected {n}")
        if self.images is None and self.table is None and self.series is None and self.graph is None:
            raise ValueError("a dataset needs images, a feature table, time series or a graph")
        for attribute, values in (self.attributes or {}).items():
            if len(values) != n:
                raise ValueError(f"attribute {attribute!r} has {len(values)} values, expected {n}")
        if self.columns is not None and (self.table is None or len(self.columns) != self.table.shape[1]):
            raise ValueError(f"{len(self.columns)} column names for a table of "
                             f"{0 if self.table is None else self.table.shape[1]} columns")
        if self.graph is not None and self.graph.number_of_nodes() != n:
            raise ValueError(f"the graph has {self.graph.number_of_nodes()} nodes, expected {n}")
        if n < 2:
            raise DataError(f"need at least 2 usable items, found {n}")

    def __len__(self) -> int:
        return len(self.item_names)

    @property
    def kind(self) -> str:
        """``images``, ``series``, ``graph`` or ``table``."""
        if self.images is not None:
            return "images"
        if self.series is not None:
            return "series"
        return "graph" if self.graph is not None else "table"

    @property
    def kind_label(self) -> str:
        """The kind, for sentences: "images", "a feature table", "time series", "a graph"."""
        return {"table": "a feature table", "graph": "a graph", "series": "time series"}.get(self.kind, self.kind)

    @property
    def has_labels(self) -> bool:
        return self.labels is not None

    def subset(self, indices: np.ndarray) -> "Dataset":
        """The items at ``indices`` (images, tables and series only), e.g. a probe sample."""
        if self.graph is not None:
            raise ValueError("a graph's nodes cannot be taken apart from their edges")
        pick = lambda array: None if array is None else array[indices]  # noqa: E731
        return Dataset(name=f"{self.name} (sample)", item_names=[self.item_names[i] for i in indices],
                       images=pick(self.images), table=pick(self.table), labels=pick(self.labels),
                       class_names=self.class_names, grayscale=self.grayscale, masks=pick(self.masks),
                       mirror_safe=self.mirror_safe, series=pick(self.series),
                       original_sizes=pick(self.original_sizes),
                       sources=None if self.sources is None else [self.sources[i] for i in indices],
                       columns=self.columns, label_column=self.label_column,
                       attributes=None if self.attributes is None else
                       {a: [v[i] for i in indices] for a, v in self.attributes.items()})

    def label_columns(self) -> list[str]:
        """A table's columns that can be its label: the label, its columns of text categories, then its feature
        columns of a few whole-number codes (a class coded 1-3 that was read as a number)."""
        coded = [c for j, c in enumerate(self.columns or []) if self._codes(j) is None]
        return ([self.label_column] if self.label_column else []) + list(self.attributes or {}) + coded

    def _codes(self, j: int) -> str | None:
        """Why the ``j``-th feature column cannot be a label (:func:`code_problem`), or None."""
        column = self.table[:, j]
        peek = 10_000  # the first rows rule most columns out at once
        return (len(column) > peek and code_problem(column[:peek], len(column))) or code_problem(column)

    def labelled_by(self, column: str | None) -> "Dataset":
        """The same table with ``column`` as the label (None: no label): one of its category columns, or a feature
        column of whole-number codes, which then stops being a feature. The label it had becomes one of its
        attributes, to colour by or to pick back."""
        attributes = dict(self.attributes or {})
        if self.labels is not None and self.label_column:
            attributes[self.label_column] = [self.class_names[i] for i in self.labels]
        table, columns, said = self.table, self.columns, []
        if column is not None and column not in attributes and column in (self.columns or []):
            j = self.columns.index(column)
            why = self._codes(j) or ("it is the table's only feature" if len(self.columns) == 1 else None)
            if why:
                raise ValueError(f"{column!r} cannot be the label: {why}")
            attributes[column] = [str(int(v)) for v in self.table[:, j]]
            table, columns = np.delete(self.table, j, axis=1), [c for c in self.columns if c != column]
            said.append(f"“{column}” is no longer a feature")
        coded = [j for j, c in enumerate(columns or []) if column in attributes and c.startswith(f"{column}=")]
        if coded:  # a column of categories that is also a feature, one-hot (a table of categories only)
            if len(coded) == len(columns):
                raise ValueError(f"{column!r} cannot be the label: its indicators are the table's only features")
            said.append(f"its {len(coded)} indicators (“{columns[coded[0]]}”…) are no longer features")
            table, columns = np.delete(table, coded, axis=1), [c for j, c in enumerate(columns) if j not in coded]
        if column is not None and column not in attributes:
            choices = self.label_columns()
            raise ValueError(f"{column!r} is not one of this table's category columns or whole-number feature "
                             + (f"columns ({', '.join(choices)})" if choices else "columns: it has none to choose"))
        labels, class_names = encode_labels(attributes.pop(column)) if column is not None else (None, None)
        said.insert(0, f"the label is now “{column}”, chosen after loading" if column is not None else
                    "no label, chosen after loading")
        report = replace(self.report, notes=[*self.report.notes, "; ".join(said)])
        return replace(self, table=table, columns=columns, labels=labels, class_names=class_names,
                       attributes=attributes or None, label_column=column, report=report)

    def originals(self) -> dict:
        """What the loader saw of the image files: their median size, the range of short sides, and the median
        aspect ratio (width / height)."""
        sizes = self.original_sizes if self.original_sizes is not None else \
            np.tile([self.images.shape[2], self.images.shape[1]], (len(self), 1))
        width, height = np.median(sizes, axis=0).astype(int)
        short = sizes.min(axis=1)
        return {"original_size": f"{width}×{height}", "original_short_side": int(np.median(short)),
                "original_short_range": [int(short.min()), int(short.max())],
                "aspect_ratio": round(float(np.median(sizes[:, 0] / sizes[:, 1])), 2)}

    def series_lengths(self) -> np.ndarray:
        """Each time series' length (rows are NaN-padded to the longest)."""
        return np.sum(~np.isnan(self.series), axis=1)

    def fingerprint(self) -> str:
        """Content hash, so cached features and stored runs know which data they came from.

        Computed once (datasets are not changed after loading): pages ask for it on every rerun, and
        hashing a large image set each time would cost seconds."""
        if self._fingerprint is None:
            digest = hashlib.sha1(self.name.encode())
            for array in (self.images, self.table, self.labels, self.masks, self.series):
                if array is not None:
                    digest.update(np.ascontiguousarray(array).tobytes())
            if self.sources is not None:  # the same pixels from other files are other data (exports, originals)
                digest.update("\n".join(self.sources).encode())
            for attribute, values in sorted((self.attributes or {}).items()):
                digest.update(("\n".join([attribute, *values])).encode())
            if self.graph is not None:
                pairs, weights = graph_edges(self.graph, list(self.graph.nodes()))
                edges = sorted((min(u, v), max(u, v), w) for (u, v), w in zip(pairs.tolist(), weights.tolist()))
                digest.update(repr((self.item_names, edges)).encode())
            self._fingerprint = digest.hexdigest()[:16]
        return self._fingerprint

    def summary(self) -> dict:
        """Numbers for the validation panel and stored runs."""
        out = {"name": self.name, "kind": self.kind, "n_items": len(self),
               "n_skipped": len(self.report.skipped), "labelled": self.has_labels}
        if self.images is not None:
            out["image_size"] = f"{self.images.shape[2]}×{self.images.shape[1]}"
            out["colour"] = "grayscale" if self.grayscale else "RGB"
            out["mirror_safe"] = self.mirror_safe
            out.update(self.originals())
        if self.table is not None:
            out["n_features"] = int(self.table.shape[1])
        if self.series is not None:
            lengths = self.series_lengths()
            out["length"] = f"{lengths.min()}" if lengths.min() == lengths.max() else f"{lengths.min()}–{lengths.max()}"
        if self.graph is not None:
            import networkx as nx

            out["n_edges"] = self.graph.number_of_edges()
            out["components"] = nx.number_connected_components(self.graph)
        if self.labels is not None and self.class_names is not None:
            counts = Counter(self.labels.tolist())
            out["n_classes"] = len(self.class_names)
            out["class_counts"] = {self.class_names[k]: counts.get(k, 0) for k in range(len(self.class_names))}
        return out


# Images in colour files whose pixels are gray (red = green = blue: scans and X-rays saved as RGB, a gray set through
# a JPEG encoder, CMYK) are read as grayscale. JPEG's rounding moves gray pixels' channels apart by 1-2 levels, so
# a pixel counts as coloured past GRAY_SPREAD levels between its channels, and a set as colour when more than
# GRAY_SHARE of the pixels looked at are (a rare stray pixel is not colour; a red 4 × 4 mark on one 24-px image of
# six is: tests/engine/test_data_images.py).
GRAY_SPREAD = 8
GRAY_SHARE = 0.001
GRAY_LOOK = 4_000_000  # pixels looked at, at most: an even sample of the images, every other row and column past it


def gray_pixels(images: np.ndarray) -> bool:
    """Whether ``n×H×W×3`` uint8 images hold gray pixels only (see :data:`GRAY_SPREAD`)."""
    n, height, width = images.shape[:3]
    rows = np.unique(np.linspace(0, n - 1, min(n, max(1, GRAY_LOOK // (height * width)))).astype(np.int64))
    step = max(1, int(np.sqrt(len(rows) * height * width / GRAY_LOOK)))
    looked = images[rows, ::step, ::step].astype(np.int16)
    spread = looked.max(axis=-1) - looked.min(axis=-1)  # the widest gap between two of a pixel's channels
    return bool(np.mean(spread > GRAY_SPREAD) <= GRAY_SHARE)


def graph_edges(graph, nodes: list) -> tuple[np.ndarray, np.ndarray]:
    """A graph's edges as ``m×2`` indices into ``nodes``, and their weights (1 where an edge has none)."""
    index = {node: i for i, node in enumerate(nodes)}
    edges = list(graph.edges(data="weight", default=1.0))
    pairs = np.array([(index[u], index[v]) for u, v, _ in edges], dtype=np.int64).reshape(-1, 2)
    return pairs, np.array([float(w) for _, _, w in edges], dtype=np.float64)


def text_encoding(head: bytes) -> str:
    """The encoding a text file's first bytes are in: UTF-16 (Excel's "Unicode text" export; by its byte-order mark
    or its zero bytes), UTF-8 (with or without a mark) where the bytes are valid UTF-8, else Windows-1252 (Excel's
    "CSV" on a Western-European Windows: "Größe" as single bytes), which reads any byte."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    sample = head[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.4 * len(sample) / 2:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.4 * len(sample) / 2:
        return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def decoded(data: bytes) -> str:
    """Bytes as text in :func:`text_encoding`'s encoding (bytes it does not define become U+FFFD, not an error)."""
    return data.decode(text_encoding(data[:65536]), errors="replace")


def source_text(source: str | os.PathLike | bytes, name: str | None, default: str) -> tuple[str, str]:
    """A text file's contents (an uploaded file's bytes, or a path; UTF-8, UTF-16 or Windows-1252, see
    :func:`text_encoding`) and the dataset's name: ``name``, else the file's stem, else ``default``."""
    if isinstance(source, bytes):
        return decoded(source), name or default
    return decoded(Path(source).read_bytes()), name or Path(source).stem


def trimmed(cells: list[str]) -> list[str]:
    """A CSV row's cells, stripped, without the empty ones it ends in (a short row padded to the others' width)."""
    cells = [cell.strip() for cell in cells]
    while cells and not cells[-1]:
        cells.pop()
    return cells


RUNNING_MIN = 4  # a header of column numbers counts this many at least (a row "1,2,3" of a small table stays data)


def column_numbers(cells: list[str], below: list[list[str]]) -> bool:
    """Whether a first row's cells count the columns from 0 (:data:`RUNNING_MIN` or more: ``0,1,2,3``), as pandas
    writes the header of a frame it numbered itself, above rows (``below``, the first 20 read) of measurements, not
    whole numbers: a header, though every cell is a number. Above whole numbers such a row may be one of them (a
    ramp, a count from 0), and it stays data."""
    cells = [cell.strip() for cell in cells]
    if len(cells) < RUNNING_MIN or cells != [str(j) for j in range(len(cells))]:
        return False
    return any(cell.strip() and not cell.strip().lstrip("-").isdigit() for row in below[:20] for cell in row)


def is_number(text: str) -> bool:
    """Whether a CSV cell reads as a number."""
    try:
        float(text)
    except ValueError:
        return False
    return True


# Whole numbers with at most this many different values (and at most half as many as rows) are class codes
CLASS_CODES = 50


def class_codes(values) -> bool:
    """Whether a headerless file's first or last column reads as class codes beside measurements
    (:func:`code_problem`). The UCR time-series archive writes its class first; UCI's wine, its class first too.
    (Whether the *other* columns are measurements, not whole numbers themselves, is the caller's check.)"""
    return code_problem(np.asarray([float(v) for v in values], dtype=np.float64)) is None


def code_problem(numbers: np.ndarray, rows: int | None = None) -> str | None:
    """Why ``numbers`` are not class codes, or None when they are: whole numbers (``1``, ``-1``, ``3.0``), 2 to
    :data:`CLASS_CODES` different ones, each on two rows or more on average. ``rows``: the column's length, where
    ``numbers`` are only its first rows (then one value so far is not yet a problem)."""
    rows = len(numbers) if rows is None else rows
    if not len(numbers) or not np.all(np.isfinite(numbers)) or np.any(np.mod(numbers, 1)):
        return "it holds numbers with fractions, a measurement rather than classes"
    distinct = len(np.unique(numbers))
    if distinct > min(CLASS_CODES, rows // 2):
        return f"it holds {'over ' if len(numbers) < rows else ''}{distinct:,} different numbers, not a few class codes"
    return "it holds one value" if distinct < 2 and len(numbers) == rows else None


def whole_numbers(values) -> bool:
    numbers = np.asarray(values, dtype=np.float64)
    numbers = numbers[np.isfinite(numbers)]
    return bool(len(numbers)) and not np.any(np.mod(numbers, 1))


def separator_of(line: str, candidates: str) -> str | None:
    """The one of ``candidates`` that a CSV's header ``line`` holds most of (the first listed on a tie); None when
    it holds none of them."""
    counts = {sep: line.count(sep) for sep in candidates}
    return max(counts, key=counts.get) if max(counts.values()) else None


def named_like_an_id(name: str, names: tuple[str, ...]) -> bool:
    """Whether a (lower-case) column name names an identifier: one of ``names``, or ending in ``_id`` / `` id``."""
    return name in names or name.endswith(("_id", " id"))


def categories(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each value's category number, the categories in natural order ("2" before "10")."""
    names = sorted(set(values), key=_natural_key)
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[value] for value in values], dtype=np.int64), names


def encode_labels(raw: list[str | None]) -> tuple[np.ndarray | None, list[str] | None]:
    """String labels to indices; ``None`` when any item is unlabelled or fewer than two classes exist."""
    if not raw or any(label is None for label in raw):
        return None, None
    labels, names = categories(raw)
    return (labels, names) if len(names) >= 2 else (None, None)


def _natural_key(text: str) -> tuple:
    return (0, int(text), "") if text.isdigit() else (1, 0, text)
