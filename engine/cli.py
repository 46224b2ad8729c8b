"""Command line: ``python -m engine cluster --data digits --reduce umap --method hdbscan --json``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Sequence

import numpy as np

from engine import api
from engine.train import TrainConfig, default_encoder, pick_device, recommended
from engine.train import jobs

SCORE_KEYS = ("ari", "nmi", "acc", "knn_acc", "silhouette", "calinski_harabasz", "davies_bouldin", "modularity",
              "conductance", "n_clusters", "noise_fraction", "seconds")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (api.DataError, ValueError, KeyError) as error:
        _end_progress()
        print(f"error: {error}", file=sys.stderr)
        return 2
    except api.Cancelled:
        _end_progress()
        print("cancelled", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description="Clusterscope, headless.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("cluster", help="features → reduce → cluster → scores, stored as a run")
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help=f"a demo ({', '.join(api.DEMOS)}), a folder, an archive of images (.zip, "
                        ".tar.gz…), a table (.csv/.tsv/.txt/.xlsx/.parquet/.json/.jsonl/.arff/.npz/.npy; images "
                        "when it holds them: pixel rows as Kaggle's MNIST, an array of images, a Parquet column of "
                        "image files, a column of image paths), time series (a .csv of a series a row with "
                        "--csv-kind series, a row per time step, a date a column, or the UCR archive's .ts), or a "
                        "graph (.edges/.graphml/.gml/.gexf/.net/.mtx, or node-link .json); any of these files "
                        "compressed on its own (data.csv.gz, .bz2, .xz) too")
    source.add_argument("--run", help="a training run: cluster its learned embeddings of its dataset")
    run.add_argument("--features", default=None,
                     help=f"auto or one of {', '.join(api.FEATURES)} (default: auto for images and series, "
                          "chosen by a label-free probe; the one extractor of other kinds)")
    run.add_argument("--feature-param", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--csv-kind", default="auto", choices=("auto", "table", "series", "edges"),
                     help="what a text file holds: a feature table, time series (one a row) or an edge list "
                          "(auto: an edge list in a .edges file, a file whose header names source and target, or "
                          "a .tsv/.txt of at most 3 columns; series in a .ts, in a file of a row per time "
                          "step (id, time, value) or of a date a column; else a table)")
    run.add_argument("--label-column", default=None, metavar="NAME",
                     help="a table: which column of categories is the label (default: one named label/class/target, "
                          "else the first column of a few text categories); 'none' for no label")
    run.add_argument("--reduce", default=None, choices=list(api.REDUCERS), help="default: by data kind")
    run.add_argument("--reduce-param", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--dims", type=int, default=2, choices=(2, 3))
    run.add_argument("--method", default=None, choices=list(api.CLUSTERERS), help="default: by data kind")
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="clusterer parameter")
    run.add_argument("--cluster-on", default=None, choices=("embedding", "features", "space"),
                     help="the 2-D map, the full features, or a 10-D clustering space (default: by data kind)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--image-size", type=int, default=0,
                     help="images are resized to this square size (0: their own typical size, at most 128 px)")
    run.add_argument("--cluster", default=None, metavar="ADDRESS",
                     help="run K-means, kNN graphs and image features on a Dask cluster: a scheduler address "
                          "(tcp://host:8786) or local:N for N worker processes here (default: $CLUSTERSCOPE_DASK, "
                          "else this process)")
    run.add_argument("--no-save", action="store_true", help="do not store the run")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.set_defaults(handler=cmd_cluster)

    train = commands.add_parser("train", help="self-supervised training; stores the embeddings as a run")
    train.add_argument("--data", help=f"a demo ({', '.join(api.DEMOS)}), an image folder, or a .zip / .tar.gz")
    train.add_argument("--resume", metavar="JOB_ID", help="continue a job from its last checkpoint")
    train.add_argument("--encoder", default=None, help=f"one of {', '.join(api.ENCODERS)} (default: by data and device)")
    train.add_argument("--method", default="simclr", choices=list(api.METHODS))
    train.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="method parameter")
    budget = train.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=int, default=None)
    budget.add_argument("--minutes", type=float, default=None)
    train.add_argument("--batch-size", type=int, default=None, help="default: the method's (256; DINO 16)")
    train.add_argument("--lr", type=float, default=None, help="default: the method's (1e-3; DINO 4e-4)")
    train.add_argument("--image-size", type=int, default=0,
                       help="training size (0: the data's; on a CPU ≤ 32 px, and with --minutes the largest size "
                            "down to 16 px at which the budget buys 20 epochs)")
    train.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    train.add_argument("--flip", action=argparse.BooleanOptionalAction, default=None,
                       help="horizontal flips in the views (default: as the data says; off for digits)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--stop-when-settled", action="store_true",
                       help="end early once the watched sample's clusters come back unchanged (ARI ≥ 0.95 with the "
                            "previous checkpoint's) 3 checkpoints in a row")
    train.add_argument("--json", action="store_true", help="print one JSON object at the end")
    train.set_defaults(handler=cmd_train)

    methods = commands.add_parser("methods", help="list registered features, reducers and clusterers")
    methods.set_defaults(handler=cmd_methods)

    runs = commands.add_parser("runs", help="list stored runs")
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=cmd_runs)

    stability = commands.add_parser("stability", help="how stable a clustering run's clusters are: its clusterer "
                                                      "rerun on subsamples; kept with the run")
    stability.add_argument("run_id", metavar="RUN_ID")
    stability.add_argument("--runs", type=int, default=0, help="reruns (default: 10, fewer for a slow clusterer)")
    stability.add_argument("--json", action="store_true", help="print one JSON object")
    stability.set_defaults(handler=cmd_stability)

    report = commands.add_parser("report", help="a self-contained HTML report of a clustering run, plus exports")
    report.add_argument("run_id", metavar="RUN_ID")
    report.add_argument("--out", default=".", help="folder to write into (default: here)")
    report.add_argument("--no-exports", action="store_true", help="only the HTML report")
    report.add_argument("--no-attention", action="store_true", help="leave out attention examples")
    report.set_defaults(handler=cmd_report)

    export = commands.add_parser("export", help="a clustering run's clusters as folders of the image files (hard "
                                                "links where possible), a CSV of file → cluster, or a JSON manifest")
    export.add_argument("run_id", metavar="RUN_ID")
    export.add_argument("--as", dest="kind", default="folders", choices=("folders", "csv", "json"),
                        help="folders: one per cluster and named selection, with clusters.csv and manifest.json; "
                             "csv or json: only that file")
    export.add_argument("--out", required=True, help="a new or empty folder to write into")
    export.set_defaults(handler=cmd_export)
    return parser


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"expected NAME=VALUE, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


def cmd_cluster(args: argparse.Namespace) -> int:
    if args.cluster:
        from engine import distributed

        with distributed.using(args.cluster):
            return _cluster(args)
    return _cluster(args)


def _cluster(args: argparse.Namespace) -> int:
    show = None if args.json else _print_progress
    reporter = api.Reporter(show)
    if args.run:
        store = api.RunStore()
        dataset = store.dataset_of(store.get(args.run))
        args.features = "learned"
        args.feature_param = [*args.feature_param, f"run_id={args.run}"]
    else:
        dataset = api.load(args.data, image_size=args.image_size, reporter=reporter.stage(0.0, 0.05),
                           csv_kind=args.csv_kind, originals=None if args.no_save else api.RunStore().originals)
        if args.label_column is not None:
            if dataset.table is None:
                raise ValueError("--label-column is for tables: images take theirs from folders")
            dataset = dataset.labelled_by(None if args.label_column.lower() == "none" else args.label_column)
    config = api.default_config(dataset, reducer_params=parse_pairs(args.reduce_param), n_components=args.dims,
                                seed=args.seed, feature_params=parse_pairs(args.feature_param))
    chosen = {"reducer": args.reduce, "clusterer": args.method, "cluster_on": args.cluster_on,
              "features": args.features}
    config = replace(config, **{k: v for k, v in chosen.items() if v is not None},
                     clusterer_params=parse_pairs(args.param))
    store = None if args.no_save else api.RunStore()
    result = api.run(dataset, config, reporter.stage(0.05, 1.0), store=store)
    report = dataset.report
    payload = {"run_id": result.run_id, "dataset": dataset.name, "n_items": len(dataset),
               # what the loader made of the input: columns left out or filled, files skipped (how many, and why)
               "loaded": {"notes": report.notes, "skipped": len(report.skipped),
                          "skipped_first": [list(s) for s in report.skipped[:5]]},
               "features": result.config.features, "clustered": result.metrics.get("clustered"),
               **{k: result.metrics.get(k) for k in SCORE_KEYS}}
    trust = result.metrics.get("map_trust")
    if trust:
        payload.update({"trustworthiness": trust["trustworthiness"], "continuity": trust["continuity"],
                        "knn_recall": trust["knn_recall"], "map_trust_against": trust["reference"],
                        "map_flags": trust["flags"]})
    if "feature_choice" in result.metrics:
        payload["features_why"] = result.metrics["feature_choice"]["reason"]
    if "k_choice" in result.metrics:
        payload["k_why"] = api.k_sentence(result.metrics["k_choice"])
    payload["method"] = result.config.clusterer
    if "clusterer_choice" in result.metrics:
        payload["method_why"] = result.metrics["clusterer_choice"]["reason"]
    if "scaled" in result.metrics:  # fitted on a sample at this size: said here as on the app's pages
        payload["scaled"] = result.metrics["scaled"]
    if "ran_on" in result.metrics:  # stages sent to a Dask cluster
        payload["ran_on"] = result.metrics["ran_on"]
    if args.json:
        print(json.dumps(payload))
    else:
        print(file=sys.stderr)
        for key, value in payload.items():
            if key == "loaded":  # a line each
                for line in value["notes"] + [f"{n}: {why}" for n, why in value["skipped_first"]] + (
                        [f"… {value['skipped'] - 5:,} more skipped"] if value["skipped"] > 5 else []):
                    print(f"{key:>18}  {line}")
                continue
            print(f"{key:>18}  {value:.4f}" if isinstance(value, float) else f"{key:>18}  {value}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    reporter = api.Reporter(None if args.json else _print_progress)
    if args.resume:
        job_id = args.resume
    else:
        if not args.data:
            raise ValueError("give --data to start a job, or --resume JOB_ID to continue one")
        dataset = api.load(args.data, image_size=args.image_size)
        device = pick_device(args.device)
        budget = {"minutes": args.minutes, "epochs": 0} if args.minutes else {"epochs": args.epochs or 20}
        settings = recommended(args.method)
        settings.update({k: v for k, v in (("batch_size", args.batch_size), ("lr", args.lr)) if v is not None})
        config = TrainConfig(encoder=args.encoder or default_encoder(len(dataset), dataset.images.shape[1], device),
                             method=args.method, method_params=parse_pairs(args.param), image_size=args.image_size,
                             seed=args.seed, device=args.device, flip=args.flip,
                             stop_when_settled=args.stop_when_settled, **settings, **budget)
        api.METHODS[config.method].resolve(config.method_params)  # bad parameters fail before the job exists
        job_id = jobs.new_job(dataset, config)
        if not args.json:
            print(f"job {job_id} (resume with: python -m engine train --resume {job_id})", file=sys.stderr)
    final = jobs.resume(job_id, reporter)
    checkpoints = final.get("metrics", {}).get("checkpoints") or []
    if args.json:
        print(json.dumps({**final, "checkpoints": checkpoints}))
    else:
        print(file=sys.stderr)
        for key, value in {**final, **final.get("metrics", {})}.items():
            if key not in ("metrics", "checkpoints"):
                print(f"{key:>16}  {value:.4f}" if isinstance(value, float) else f"{key:>16}  {value}")
        for i, c in enumerate(checkpoints):  # clusters forming: the watched sample at each checkpoint
            scores = "  ".join(f"{name} {c[name]:.3f}" for name in ("silhouette", "agreement", "knn_acc", "kmeans_ari")
                               if c.get(name) is not None)
            print(f"{'checkpoint ' + str(i):>16}  {c['progress']:4.0%} · {c['time']:6.1f} s  {scores}")
    return {"done": 0, "cancelled": 130}.get(final["state"], 1)


def cmd_report(args: argparse.Namespace) -> int:
    from engine import report

    ctx = report.RunContext.load(api.RunStore(), args.run_id)
    html = report.build(ctx, api.Reporter(_print_progress), with_attention=not args.no_attention)
    print(file=sys.stderr)
    for path in report.write_all(ctx, args.out, html, exports=not args.no_exports):
        print(path)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from engine import report
    from engine.report.folders import export

    ctx = report.RunContext.load(api.RunStore(), args.run_id)
    done = export(ctx, args.out, args.kind, api.Reporter(_print_progress))
    print(file=sys.stderr)
    print(done.sentence())
    return 0


def cmd_stability(args: argparse.Namespace) -> int:
    store = api.RunStore()
    dataset, result = api.reopen(store, args.run_id)
    if args.runs and args.runs < 2:
        raise ValueError("--runs must be at least 2")
    found = api.stability(dataset, result, None if args.json else api.Reporter(_print_progress), store,
                          runs=args.runs or None)
    summary = result.metrics["stability"]
    if args.json:
        print(json.dumps({"run_id": args.run_id, **summary,
                          "stability_k": summary["k"].get("by_stability"),
                          "silhouette_k": summary["k"].get("by_silhouette"),
                          "most_ambiguous": [int(i) for i in np.argsort(-found.ambiguity, kind="stable")[:10]]}))
        return 0
    print(file=sys.stderr)
    print(api.stability_sentence(summary))
    for c in summary["clusters"]:
        print(f"  cluster {c['cluster']:>3}  {c['size']:>6,} items  stability {c['stability']:.2f}  {c['reading']}")
    return 0


def cmd_methods(args: argparse.Namespace) -> int:
    for title, registry in (("features", api.FEATURES), ("reducers", api.REDUCERS), ("clusterers", api.CLUSTERERS),
                            ("self-supervised methods", api.METHODS)):
        print(f"{title}:")
        for name, entry in registry.items():
            params = ", ".join(f"{p.name}={p.default}" for p in entry.params)
            print(f"  {name:<18} {entry.label} ({params})")
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    records = api.RunStore().list()
    if args.json:
        print(json.dumps([r.__dict__ for r in records]))
        return 0
    for r in records:
        m = r.metrics
        ari = f"ARI {m['ari']:.3f}" if m.get("ari") is not None else ""
        print(f"{r.run_id}  {r.dataset.get('name', ''):<12} {r.config.get('reducer', '')}+"
              f"{r.config.get('clusterer', '')}  K={m.get('n_clusters')}  {ari}")
    return 0


_PROGRESS = {"open": False}  # a progress line is on stderr without its newline yet


def _print_progress(fraction: float, message: str) -> None:
    print(f"\r[{fraction * 100:5.1f}%] {message:<70}", end="", file=sys.stderr, flush=True)
    _PROGRESS["open"] = True


def _end_progress() -> None:
    """End an open progress line, so that what follows starts on a line of its own."""
    if _PROGRESS["open"]:
        print(file=sys.stderr)
        _PROGRESS["open"] = False
