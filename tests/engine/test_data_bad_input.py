"""Every loader answers bad input with a DataError (a sentence the page shows), never another exception."""

from __future__ import annotations

import io

import pytest

from engine import api
from engine.data import DataError

NASTY = [b"", b"\n\n", b"a", b"a,b\n", b"1\n2\n3\n", b",,,\n,,,\n", b"\xff\xfe\x00\x00", b"\x00\x01\x02\x03" * 50,
         b"a,b,c\n1,2\n3,4,5,6\n", b'"unclosed,1,2\n3,4,5\n', b"nan,nan,nan\nnan,nan,nan\n", b"date,a\n2024-01-01,1\n",
         b"id,time,value\nA,1,1\nA,2,2\nA,3,3\nB,1,x\n", b"a b\nc\n", b"source,target\nA,A\n", b"# only a comment\n",
         b"%MatrixMarket\n", "é,ü\n1,2\n".encode("utf-16"), b"PK\x03\x04broken zip", b"\x1f\x8b\x08broken gzip",
         b"@relation r\n@attribute a numeric\n@data\n", b"@relation r\n@attribute a numeric\n@data\n1,2\n",
         b"@relation r\n@data\n1\n", b"@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n{0 1}\n",
         b"@problemName p\n@classLabel true a\n@data\n", b"@classLabel true\n@data\n1,2:3,4:a\n", b"@data\n:\n",
         b"@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,x\n2,y\n"]
LOADERS = {
    "table": lambda data: api.load_csv(io.BytesIO(data)),
    "series": api.load_series_csv,
    "edges": api.load_edge_list,
    **{suffix: (lambda data, suffix=suffix: api.load_graph_file(data, suffix=suffix)) for suffix in api.GRAPH_READERS},
    **{suffix: (lambda data, load=load: load(io.BytesIO(data))) for suffix, load in api.TABLE_LOADERS.items()},
    "zip": lambda data: api.load_zip(io.BytesIO(data)),
    "zip of images or of a table": lambda data: api.load_archive(io.BytesIO(data)),
    "tar": lambda data: api.load_tar(io.BytesIO(data)),
    **{suffix: (lambda data, suffix=suffix: api.load_converted(data, suffix=suffix)) for suffix in api.CONVERTED},
}


@pytest.mark.parametrize("kind", list(LOADERS))
def test_bad_input_is_a_data_error_for_every_loader(kind):
    for data in NASTY:
        try:
            LOADERS[kind](data)
        except DataError as error:
            assert str(error)  # says something
        except Exception as error:  # noqa: BLE001 (the point: nothing else may escape)
            pytest.fail(f"{kind} on {data[:30]!r}: {type(error).__name__}: {error}")


def test_a_data_file_compressed_on_its_own_is_read_as_the_file_it_holds(tmp_path):
    import bz2
    import gzip
    import json

    from engine.data import load, load_bytes

    rows = "a,b,label\n" + "\n".join(f"{i % 7},{i % 5 + 0.5},{'xy'[i % 2]}" for i in range(40))
    (tmp_path / "table.csv.gz").write_bytes(gzip.compress(rows.encode()))
    data = load(tmp_path / "table.csv.gz")
    assert data.kind == "table" and data.table.shape == (40, 2) and data.class_names == ["x", "y"]
    assert data.report.notes[0] == "unpacked table.csv from table.csv.gz"
    graph = {"nodes": [{"id": i} for i in range(4)], "links": [{"source": 0, "target": 1}, {"source": 2, "target": 3}]}
    assert load_bytes("g.json.bz2", bz2.compress(json.dumps(graph).encode())).kind == "graph"  # an upload too


def test_compressed_files_that_are_bombs_damaged_or_unnamed_are_refused_saying_why(tmp_path):
    import gzip

    from engine.data import load

    (tmp_path / "zeros.csv.gz").write_bytes(gzip.compress(b"0," * 30_000_000, compresslevel=9))  # 60 MB from ~60 KB
    with pytest.raises(DataError, match="refused as a decompression bomb"):
        load(tmp_path / "zeros.csv.gz")
    (tmp_path / "cut.csv.gz").write_bytes(gzip.compress(b"a,b\n1,2\n" * 100)[:30])
    with pytest.raises(DataError, match="not a readable gzip file"):
        load(tmp_path / "cut.csv.gz")
    (tmp_path / "data.gz").write_bytes(gzip.compress(b"a,b\n1,2\n"))
    with pytest.raises(DataError, match="name it after the file inside"):
        load(tmp_path / "data.gz")
