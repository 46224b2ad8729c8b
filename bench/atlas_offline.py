"""Can Embedding Atlas's Streamlit component draw a map on a machine with no network? (issue 14, item 5)

Its browser bundle is searched for the addresses it would load code from at run time, and the package for the
WebAssembly it would need. It is not a dependency of this project, so install it aside first:

    .venv/bin/pip install --no-deps embedding-atlas -t /tmp/ea-pkgs
    .venv/bin/python bench/atlas_offline.py /tmp/ea-pkgs

Measured with embedding-atlas 0.26.0: the component's bundle builds DuckDB-WASM's worker and module addresses on
cdn.jsdelivr.net, and no ``.wasm`` ships in that bundle (the package's ``static/`` folder, which its own server
uses, has 9; the Streamlit component does not load them). Served by Streamlit 1.67 to headless Chromium with no
route to that host, the component stopped at "Failed to execute 'importScripts' ... duckdb-browser-eh.worker.js"
and drew nothing. The project's rule (no network at run time beyond package registries) rules it out before speed does.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ADDRESS = re.compile(r"https://[A-Za-z0-9.-]+(?:/[^\s\"'`)]*)?")


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".") / "embedding_atlas"
    if not root.is_dir():
        raise SystemExit(f"no embedding_atlas package under {root.parent}; install it there first (see the docstring)")
    bundle = root / "widget_static" / "streamlit"
    hosts: Counter = Counter()
    code: set[str] = set()
    for script in bundle.rglob("*.js"):
        for address in ADDRESS.findall(script.read_text(errors="replace")):
            host = address.split("/")[2]
            hosts[host] += 1
            if host == "cdn.jsdelivr.net" or address.endswith((".wasm", ".worker.js", ".mjs")):
                code.add(address)
    wasm = sorted(p.relative_to(root).as_posix() for p in bundle.rglob("*.wasm"))
    elsewhere = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.wasm") if bundle not in p.parents)
    print(f"Streamlit component bundle: {bundle}")
    print("hosts named in its scripts: " + ", ".join(f"{h} ×{n}" for h, n in hosts.most_common()))
    print("code it would load from the network:" + "".join(f"\n  {a}" for a in sorted(code)) if code
          else "code it would load from the network: none")
    print(f".wasm files in the Streamlit bundle: {len(wasm)}" + "".join(f"\n  {w}" for w in wasm)
          + f" (elsewhere in the package: {len(elsewhere)})")
    print("offline: " + ("NO (its code comes from a CDN at run time)" if code and not wasm else "maybe"))


if __name__ == "__main__":
    main()
