"""Weka's ARFF and the UEA / UCR archive's ``.ts``, as CSV text for the table and series readers.

The UCI and Weka collections ship their tables as ARFF, and timeseriesclassification.com ships every UCR / UEA
problem as ARFF and ``.ts`` beside the ``.tsv``. Rather than a third set of readers, each is turned into the CSV it
stands for (a header row, then a row per item) and read by :func:`~engine.data.tables.load_csv` or
:func:`~engine.data.series.load_series_csv`, so names, labels, missing cells and ragged series are handled once.
"""

from __future__ import annotations

import csv
import io
import re

from engine.data.dataset import DataError, decoded

ATTRIBUTE = re.compile(r"@attribute\s+('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\S+)\s+(.+)$", re.I)


def _lines(data: bytes) -> list[str]:
    """The file's lines, without blank lines and ``%`` (ARFF) or ``#`` (.ts) comments."""
    return [line.strip() for line in decoded(data).splitlines()
            if line.strip() and not line.lstrip().startswith(("%", "#"))]


def _data_start(lines: list[str]) -> int | None:
    """The index of the ``@data`` line, where the rows begin (None: there is none)."""
    return next((i for i, line in enumerate(lines) if line.lower().startswith("@data")), None)


MULTIVARIATE = ("a multivariate .ts (several dimensions a series) is not read here: save one dimension as a .ts, "
                ".tsv or CSV with a series a row")


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def arff_csv(data: bytes) -> bytes:
    """An ARFF file (``@relation``, ``@attribute`` lines, ``@data``) as CSV: the attributes' names as the header,
    ``?`` kept for a missing value (the table reader's "no value"). Sparse ARFF (``{index value, …}`` rows) and
    relational attributes (a multivariate series inside one cell) are refused with what to do."""
    lines = _lines(data)
    start = _data_start(lines)
    if start is None or not lines[0].lower().startswith(("@relation", "@attribute")):
        raise DataError("not an ARFF file: expected @relation, @attribute lines and @data")
    names, kinds = [], []
    for line in lines[:start]:
        found = ATTRIBUTE.match(line)
        if found:
            names.append(found.group(1).strip("'\""))
            kinds.append(found.group(2).strip().lower())
    if not names:
        raise DataError("the ARFF file declares no @attribute")
    if any(kind.startswith("relational") for kind in kinds):
        raise DataError("a relational ARFF (a multivariate series in each row) is not read here: save one dimension "
                        "as a .ts, .tsv or CSV with a series a row")
    rows = []
    for number, row in enumerate(csv.reader(lines[start + 1:], skipinitialspace=True, quotechar="'"),
                                 start=start + 2):
        if row and row[0].startswith("{"):
            raise DataError("a sparse ARFF ({index value, …} rows) is not read here: save it as a dense ARFF or CSV")
        if len(row) != len(names):
            raise DataError(f"@data row {number - start - 1}: {len(row)} values for {len(names)} attributes")
        rows.append(row)
    if not rows:
        raise DataError("the ARFF file has no rows under @data")
    return _csv(names, rows)


def ts_csv(data: bytes) -> bytes:
    """A ``.ts`` file (sktime's format: ``@problemName`` … ``@classLabel true 1 2`` … ``@data``, then one series a
    line, ``v1,v2,…:label``) as CSV: ``label, t1…`` when it has class labels, else ``t1…``; ``?`` / ``NaN`` are
    gaps the series reader fills. Multivariate problems (several ``:``-separated dimensions) are refused with what
    to do."""
    lines = _lines(data)
    start = _data_start(lines)
    if start is None:
        raise DataError("not a .ts file: expected @-lines (@problemName, @classLabel…) and @data")
    tags = {line.split()[0].lower(): line.split()[1:] for line in lines[:start] if line.startswith("@")}
    labelled = tags.get("@classlabel", ["false"])[0].lower() == "true"
    if tags.get("@timestamps", ["false"])[0].lower() == "true":
        raise DataError("a .ts file with time stamps ((t, value) pairs) is not read here: save its values alone")
    dimensions = tags.get("@dimension", tags.get("@dimensions", ["1"]))
    if tags.get("@univariate", ["true"])[0].lower() == "false" and dimensions[0] != "1":
        raise DataError(MULTIVARIATE)
    rows = []
    for line in lines[start + 1:]:
        parts = line.split(":")
        values, label = (parts[:-1], parts[-1]) if labelled else (parts, None)
        if len(values) != 1:
            raise DataError(MULTIVARIATE)
        cells = [v.strip() for v in values[0].split(",")]
        rows.append(([label.strip()] if labelled else []) + cells)
    if not rows:
        raise DataError("the .ts file has no series under @data")
    longest = max(len(row) for row in rows) - labelled
    return _csv((["label"] if labelled else []) + [f"t{i + 1}" for i in range(longest)], rows)
