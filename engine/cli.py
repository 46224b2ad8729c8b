"""Command line: ``python -m engine cluster --data digits --reduce umap --method hdbscan --json``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Sequence

from engine import api

SCORE_KEYS = ("ari", "nmi", "acc", "silhouette", "calinski_harabasz", "davies_bouldin", "n_clusters",
              "noise_fraction", "seconds")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (api.DataError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except api.Cancelled:
        print("cancelled", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description="Clusterscope, headless.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("cluster", help="features → reduce → cluster → scores, stored as a run")
    run.add_argument("--data", required=True, help=f"a demo ({', '.join(api.DEMOS)}), a folder, or a .zip/.npz/.csv")
    run.add_argument("--features", default=None, help=f"one of {', '.join(api.FEATURES)} (default: by data kind)")
    run.add_argument("--feature-param", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--reduce", default="umap", choices=list(api.REDUCERS))
    run.add_argument("--reduce-param", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--dims", type=int, default=2, choices=(2, 3))
    run.add_argument("--method", default="hdbscan", choices=list(api.CLUSTERERS))
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="clusterer parameter")
    run.add_argument("--cluster-on", default="embedding", choices=("embedding", "features"))
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--image-size", type=int, default=64, help="images are resized to this square size")
    run.add_argument("--no-save", action="store_true", help="do not store the run")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.set_defaults(handler=cmd_cluster)

    methods = commands.add_parser("methods", help="list registered features, reducers and clusterers")
    methods.set_defaults(handler=cmd_methods)

    runs = commands.add_parser("runs", help="list stored runs")
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=cmd_runs)
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
    show = None if args.json else _print_progress
    reporter = api.Reporter(show)
    dataset = api.load(args.data, image_size=args.image_size, reporter=reporter.stage(0.0, 0.05))
    config = api.default_config(
        dataset, reducer=args.reduce, reducer_params=parse_pairs(args.reduce_param), n_components=args.dims,
        clusterer=args.method, clusterer_params=parse_pairs(args.param), cluster_on=args.cluster_on,
        seed=args.seed, feature_params=parse_pairs(args.feature_param),
    )
    if args.features:
        config = replace(config, features=args.features)
    store = None if args.no_save else api.RunStore()
    result = api.run(dataset, config, reporter.stage(0.05, 1.0), store=store)
    payload = {"run_id": result.run_id, "dataset": dataset.name, "n_items": len(dataset),
               **{k: result.metrics.get(k) for k in SCORE_KEYS}}
    if args.json:
        print(json.dumps(payload))
    else:
        print(file=sys.stderr)
        for key, value in payload.items():
            print(f"{key:>18}  {value:.4f}" if isinstance(value, float) else f"{key:>18}  {value}")
    return 0


def cmd_methods(args: argparse.Namespace) -> int:
    for title, registry in (("features", api.FEATURES), ("reducers", api.REDUCERS), ("clusterers", api.CLUSTERERS)):
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


def _print_progress(fraction: float, message: str) -> None:
    print(f"\r[{fraction * 100:5.1f}%] {message:<70}", end="", file=sys.stderr, flush=True)
