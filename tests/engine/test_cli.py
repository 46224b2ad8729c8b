import json
import os
import subprocess
import sys
from pathlib import Path

from engine.cli import main
from tests.conftest import shapes_folder

ROOT = Path(__file__).resolve().parents[2]


def test_headline_command_reaches_the_ari_bar(capsys, digits_result):
    code = main(["cluster", "--data", "digits", "--features", "pixels", "--reduce", "umap", "--method", "hdbscan",
                 "--cluster-on", "embedding", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(payload) >= {"ari", "nmi", "acc", "silhouette", "n_clusters", "noise_fraction", "seconds", "run_id"}
    assert payload["ari"] >= 0.85 and payload["run_id"]


def test_folder_data_and_method_parameters(tmp_path, capsys):
    folder = shapes_folder(tmp_path / "shapes")
    code = main(["cluster", "--data", str(folder), "--reduce", "pca", "--method", "kmeans", "--param",
                 "n_clusters=2", "--image-size", "16", "--no-save", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["ari"] == 1.0 and payload["n_items"] == 12 and payload["run_id"] is None


def test_a_moons_csv_on_the_default_path_says_which_method_and_why(tmp_path, capsys):
    from sklearn.datasets import make_moons

    X, y = make_moons(500, noise=0.05, random_state=2)
    (tmp_path / "moons.csv").write_text("x,y,label\n" + "\n".join(f"{a},{b},{c}" for (a, b), c in zip(X, y)))
    assert main(["cluster", "--data", str(tmp_path / "moons.csv"), "--no-save", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["method"] == "hdbscan" and "2 dense pieces" in payload["method_why"] and payload["ari"] > 0.95


def test_bad_input_exits_2_with_a_message(tmp_path, capsys):
    assert main(["cluster", "--data", str(tmp_path / "nowhere"), "--json"]) == 2
    assert "neither a demo" in capsys.readouterr().err
    assert main(["cluster", "--data", "digits", "--method", "kmeans", "--param", "n_clusters=1", "--json"]) == 2
    assert "outside" in capsys.readouterr().err


def test_python_dash_m_engine_runs_as_a_program(tmp_path):
    env = {**os.environ, "CLUSTERSCOPE_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "engine", "cluster", "--data", "digits", "--reduce", "pca",
                          "--method", "kmeans", "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    listed = subprocess.run([sys.executable, "-m", "engine", "runs", "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert [r["run_id"] for r in json.loads(listed.stdout)] == [payload["run_id"]]


def test_a_table_from_the_wild_runs_and_the_cli_says_what_the_loader_made_of_it(tmp_path, capsys):
    from sklearn.datasets import make_blobs

    X, y = make_blobs(300, 4, centers=3, random_state=4)
    rows = [f"S{i:03d},{['red', 'blue'][i % 2]},{'' if i % 10 == 0 else f'{X[i, 0]:.3f}'},{X[i, 1]:.3f},"
            f"{X[i, 2]:.3f},{X[i, 3]:.3f},{'abc'[y[i]]}" for i in range(300)]
    (tmp_path / "wild.csv").write_text("sample,colour,a,b,c,d,kind\n" + "\n".join(rows))
    assert main(["cluster", "--data", str(tmp_path / "wild.csv"), "--no-save", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    notes = payload["loaded"]["notes"]
    assert payload["n_items"] == 300 and payload["loaded"]["skipped"] == 0
    assert any("“sample” names the rows" in n for n in notes)
    assert any("“colour” (2 categories) is the label" in n for n in notes)  # the first categories, not "kind"
    assert any("“kind” left out" in n for n in notes) and any("“a”: 30 empty" in n for n in notes)
    assert payload["n_clusters"] == 3 and abs(payload["ari"]) < 0.05  # the colours alternate: no cluster follows them

    assert main(["cluster", "--data", str(tmp_path / "wild.csv"), "--no-save"]) == 0  # the same, a line each
    assert "            loaded  “colour” (2 categories) is the label" in capsys.readouterr().out


def test_the_label_column_is_chosen_on_the_command_line(tmp_path, capsys):
    text = "id,a,b,colour,kind\n" + "\n".join(f"r{i},{i % 3 * 5 + 0.1 * (i % 7)},{i % 2},{'rg'[i % 2]},{'xyz'[i % 3]}"
                                             for i in range(60))
    (tmp_path / "t.csv").write_text(text)  # no column named label: "colour" is the guess, "kind" the classes
    for chosen, classes in (("kind", 3), ("none", None)):
        assert main(["cluster", "--data", str(tmp_path / "t.csv"), "--label-column", chosen, "--no-save",
                     "--json"]) == 0
        payload = json.loads(capsys.readouterr().out)
        assert (payload["ari"] is None) == (classes is None)
    assert payload["n_items"] == 60
    assert main(["cluster", "--data", str(tmp_path / "t.csv"), "--label-column", "a", "--no-save", "--json"]) == 2
    assert "'a' cannot be the label: it holds numbers with fractions" in capsys.readouterr().err
    assert main(["cluster", "--data", str(tmp_path / "t.csv"), "--label-column", "zz", "--no-save", "--json"]) == 2
    assert "'zz' is not one of this table's category columns or whole-number feature columns (colour, kind, b)" \
        in capsys.readouterr().err
    assert main(["cluster", "--data", str(tmp_path / "t.csv"), "--label-column", "b", "--no-save", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ari"] is not None  # b's 0/1 codes, taken out of the features
    (tmp_path / "m.csv").write_text("x,y\n" + "\n".join(f"{i * 0.37 % 5:.2f},{i * 0.61 % 3:.2f}" for i in range(60)))
    assert main(["cluster", "--data", str(tmp_path / "m.csv"), "--label-column", "zz", "--no-save", "--json"]) == 2
    assert "'zz' is not one of this table's category columns or whole-number feature columns: it has none to " \
           "choose" in capsys.readouterr().err  # not an empty list, "()"


def test_an_error_after_progress_starts_on_its_own_line(tmp_path, capsys):
    """Three images load (the progress line is drawn) and are then too few to cluster: the error is not glued to
    the end of the progress line."""
    from tests.conftest import make_zip, png

    archive = tmp_path / "three.zip"
    archive.write_bytes(make_zip({f"i{i}.png": png((40 * i, 90, 30)) for i in range(3)}))
    assert main(["cluster", "--data", str(archive), "--no-save"]) == 2
    err = capsys.readouterr().err
    assert "decoded 3 images" in err and "\nerror: three has 3 items: clustering needs at least 4" in err
