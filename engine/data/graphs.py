"""Graphs: edge lists (CSV / TSV, optional weight) and graph files (GraphML, GML, GEXF, Pajek, Matrix Market),
plus networkx's karate club and les misérables.

The nodes become the items. Self-loops are dropped and duplicate edges merged (weights added),
each with a note in the validation report; disconnected components are kept and reported.
Node labels, where the file has them (a node attribute such as ``club`` or ``group``), become
the optional true labels. Up to :data:`MAX_NODES` nodes; past :data:`DENSE_NODES` the methods read the adjacency as a
sparse matrix (``engine.features.adjacency``).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import networkx as nx
import numpy as np

from engine.data.dataset import (Dataset, DataError, ValidationReport, decoded, encode_labels, is_number,
                                 separator_of, source_text)

MAX_NODES = 200_000  # a 100,000-node, 1M-edge graph loads and clusters in about a minute on 2 cores
DENSE_NODES = 5000  # up to here the adjacency is a dense matrix (every method); beyond it is sparse (see FEATURES)
LABEL_ATTRIBUTES = ("club", "label", "labels", "class", "group", "community", "block", "category", "value")
# An edge list's header: its first two columns named as a pair of endpoints (Gephi writes Source, Target, Type, Id,
# Label, Weight; pandas' to_csv of an edge frame source, target, weight), and the names of a weight column
ENDPOINTS = (("source", "target"), ("from", "to"), ("u", "v"), ("src", "dst"), ("src", "dest"), ("node1", "node2"),
             ("node_1", "node_2"), ("node a", "node b"), ("source", "destination"), ("source_node", "target_node"),
             ("from_node", "to_node"), ("head", "tail"), ("id1", "id2"))
WEIGHTS = ("weight", "weights", "w", "value", "strength", "count")
# A third column named like these holds when an edge was made (SNAP's temporal networks, message logs), not how
# strong it is: 1.6e9 seconds since 1970 is no weight, and an edge seen twice is not twice as strong for it.
TIMES = re.compile(r"(unix[ _]?)?(time|timestamp|date|datetime|ts|t|epoch|year|day|created|created_at|when)",
                   re.IGNORECASE)


def edge_header(cells: list[str]) -> bool:
    """Whether a first row's cells are an edge list's header (:data:`ENDPOINTS`)."""
    return tuple(c.strip().strip("\"'").lower() for c in cells[:2]) in ENDPOINTS


ID = re.compile(r"-?\d+")
PAIRS_MIN_NODES = 10  # a headerless file of whole-number pairs names this many nodes at least to pass for edges
PAIRS_SHARED = 0.5  # and this share of the fewer distinct values of one column come back in the other
# rows looked at, at most: an edge list sorted by its first column (u < v, as networkx and SNAP write them) names its
# first nodes in the second column only further down (a 20,000-node list: none of them in its first 200 rows)
PAIRS_ROWS = 100_000


def numbered_pair(cells: list[str]) -> bool:
    """Whether two header cells name one thing twice, numbered (``protein1, protein2`` as the STRING database
    writes them, ``id_1, id_2`` as the MUSAE graphs do, ``user a, user b``): an edge list's endpoints in a file of
    two or three columns (a table's ``x1, x2, …`` run on; the caller checks the count)."""
    names = [c.strip().strip("\"'").lower() for c in cells[:2]]
    found = [re.fullmatch(r"([a-z][a-z_ ]*?)[ _-]?(1|2|a|b)", name) for name in names]
    return len(names) == 2 and all(found) and found[0].group(1) == found[1].group(1) and len(found[0].group(1)) >= 2 \
        and (found[0].group(2), found[1].group(2)) in (("1", "2"), ("a", "b"))


def pairs_of_ids(rows: list[list[str]]) -> bool:
    """Whether rows split from a text file's start (a CSV's, whose edge lists carry no ``.edges`` suffix) are an
    edge list though nothing names it so: two or three columns in every row, and either a :func:`numbered_pair`
    header above ids (whole numbers or names, not measurements) and, in a third column, numbers; or no header,
    whole numbers in both columns (node ids: at least :data:`PAIRS_MIN_NODES` of them, :data:`PAIRS_SHARED` of one
    column's coming back in the other, no row joining a node to itself), with a third column of numbers. A table
    of two whole-number columns (counts, years) keeps equal values in a row or shares few values, and stays one."""
    rows = [[c.strip().strip("\"'") for c in row] for row in rows[:PAIRS_ROWS] if any(c.strip() for c in row)]
    if len(rows) < 3 or any(len(row) not in (2, 3) or len(row) != len(rows[0]) for row in rows):
        return False
    header = numbered_pair(rows[0])
    body = rows[1:] if header else rows
    if any(len(row) == 3 and not is_number(row[2]) for row in body):
        return False
    if header:
        return all(cell and (ID.fullmatch(cell) or not is_number(cell)) for row in body for cell in row[:2])
    if not all(ID.fullmatch(row[0]) and ID.fullmatch(row[1]) for row in body):
        return False
    first, second = {row[0] for row in body}, {row[1] for row in body}
    return len(first | second) >= PAIRS_MIN_NODES and all(row[0] != row[1] for row in body) \
        and len(first & second) >= PAIRS_SHARED * min(len(first), len(second))


def measured_pairs(rows: list[list[str]]) -> bool:
    """Whether the first two columns of rows (a file's lines after its first, split) hold numbers only, some of them
    not whole: measurements (``x, y`` of points), which no edge list names its nodes by (ids are names or whole
    numbers, ``3`` or ``3.0``)."""
    cells = [cell.strip().strip("\"'") for row in rows if len(row) >= 2 for cell in row[:2]]
    return bool(cells) and all(is_number(c) for c in cells) and not all(float(c).is_integer() for c in cells)


def add_edge(graph: nx.Graph, u, v, weight: float) -> bool:
    """Add an edge, or add ``weight`` to the edge already there; True when it was a duplicate."""
    if graph.has_edge(u, v):
        graph[u][v]["weight"] += weight
        return True
    graph.add_edge(u, v, weight=weight)
    return False


def graph_dataset(graph: nx.Graph, name: str, report: ValidationReport | None = None,
                  label_attribute: str | None = None) -> Dataset:
    """A dataset of the nodes of ``graph`` (undirected; node names become strings)."""
    report = report or ValidationReport()
    if graph.is_directed():
        graph = graph.to_undirected()
        report.notes.append("directed edges were read as undirected")
    loops = list(nx.selfloop_edges(graph))
    if loops:
        graph.remove_edges_from(loops)
        report.notes.append(f"{len(loops)} self-loop(s) dropped")
    if graph.number_of_nodes() == 0 or graph.number_of_edges() == 0:
        dropped = [note for note in report.notes if "dropped" in note]  # (every weight zero: say so, not only this)
        raise DataError("the graph has no edges between distinct nodes: nothing links them, so there is no "
                        "structure to find" + (f" ({'; '.join(dropped)})" if dropped else ""))
    if graph.number_of_nodes() > MAX_NODES:
        raise DataError(f"the graph has {graph.number_of_nodes():,} nodes; up to {MAX_NODES:,} are supported")
    if graph.number_of_nodes() > DENSE_NODES:
        report.notes.append(f"{graph.number_of_nodes():,} nodes: past {DENSE_NODES:,} the graph is held as a sparse "
                            "matrix, clustered by Louvain / Leiden / label propagation (igraph) or spectral methods, "
                            "and drawn from a spectral node embedding")
    if not all(isinstance(node, str) for node in graph):  # (a copy of a 100,000-node graph costs ~10 s)
        graph = nx.relabel_nodes(graph, {node: str(node) for node in graph.nodes()})
    if type(graph) is nx.Graph and all(data.keys() == {"weight"} and type(data["weight"]) is float
                                       for _, _, data in graph.edges(data=True)):
        simple = graph  # already what the methods read (an edge list's graph): no copy
    else:
        simple = nx.Graph()
        simple.add_nodes_from(graph.nodes(data=True))
        for u, v, data in graph.edges(data=True):
            weight = float(data.get("weight", 1.0))
            simple.add_edge(u, v, weight=weight)
    components = nx.number_connected_components(simple)
    if components > 1:
        report.notes.append(f"{components} connected components (each is clustered on its own)")
    attribute = label_attribute or categorical_attribute(simple)
    labels, class_names = (encode_labels([str(data[attribute]) for _, data in simple.nodes(data=True)])
                           if attribute else (None, None))
    if labels is not None:
        report.notes.append(f"node attribute {attribute!r} used as the true labels")
    report.n_found = report.n_found or simple.number_of_nodes()
    report.n_loaded = simple.number_of_nodes()
    return Dataset(name=name, item_names=list(simple.nodes()), graph=simple, labels=labels, class_names=class_names,
                   report=report)


NODE_IDS = ("id", "node", "node_id", "nodeid", "name", "vertex", "key")


def with_node_table(dataset: Dataset, frame, file_name: str) -> bool:
    """Give a graph's nodes the columns of ``frame``, a table with a row per node (an archive's ``nodes.csv``
    beside its ``edges.csv``; SNAP's ``musae_*_target.csv``), where one of its columns names every node: they
    become the nodes' attributes (the Similar page lists them), and a column that looks like classes the labels
    (:func:`categorical_attribute`) where the graph had none. Whether the table was used."""
    if dataset.kind != "graph" or frame.empty or frame.shape[1] < 2:
        return False
    nodes = set(dataset.item_names)
    order = list(frame.columns)
    columns = sorted(order, key=lambda c: (str(c).strip().lower() not in NODE_IDS, order.index(c)))
    key = next((c for c in columns if frame[c].is_unique and nodes <= set(frame[c].astype(str).str.strip())), None)
    if key is None:
        return False
    rows = frame.assign(**{str(key): frame[key].astype(str).str.strip()}).set_index(str(key))
    rows = rows.loc[[name for name in dataset.item_names]]
    graph = dataset.graph
    for column in rows.columns:
        if rows[column].isna().any():
            continue  # a column some nodes lack: no attribute every node has
        for name, value in zip(dataset.item_names, rows[column].tolist()):
            graph.nodes[name][str(column)] = value.item() if hasattr(value, "item") else value
    attribute = None if dataset.labels is not None else categorical_attribute(graph)
    if attribute is not None:
        raw = [str(graph.nodes[n][attribute]) for n in dataset.item_names]
        dataset.labels, dataset.class_names = encode_labels(raw)
    dataset.report.notes.append(f"node attributes read from {file_name} (its “{key}” names the nodes)" + (
        f"; {attribute!r} used as the true labels" if attribute is not None and dataset.labels is not None else ""))
    return True


NEIGHBOURS_SHOWN = 60  # a hub's neighbours past this are counted, not listed or drawn (the heaviest edges first)


def neighbourhood(dataset: Dataset, index: int, limit: int = NEIGHBOURS_SHOWN) -> dict:
    """Node ``index`` (``focus``) of a graph dataset as the Similar page shows it: its degree, its neighbours (item
    indices, heaviest edges first, at most ``limit``), the edges among it and them (``m×2`` indices into
    ``[index] + neighbours``) and the attributes the file gave it."""
    graph, node = dataset.graph, dataset.item_names[index]
    position = {name: i for i, name in enumerate(dataset.item_names)}
    heaviest = sorted(((-float(data.get("weight", 1.0)), position[v]) for v, data in graph[node].items() if v != node))
    members = [index] + [i for _, i in heaviest[:limit]]
    inside = {dataset.item_names[i]: j for j, i in enumerate(members)}
    edges = np.array([(inside[u], inside[v]) for u, v in graph.subgraph(inside).edges()], dtype=np.int64)
    return {"focus": index, "degree": len(heaviest), "neighbours": members[1:], "edges": edges.reshape(-1, 2),
            "attributes": {str(k): str(v) for k, v in graph.nodes[node].items()}}


def categorical_attribute(graph: nx.Graph) -> str | None:
    """The node attribute that looks like a class label: one every node has, with 2 to √n·2 (at most 50)
    distinct values that repeat (a name or id per node is not a label, nor is a continuous number). Attributes
    named like labels (``club``, ``label``, ``block``, ...) are preferred."""
    nodes = [data for _, data in graph.nodes(data=True)]
    shared = set.intersection(*(set(data) for data in nodes)) if nodes else set()
    limit = min(50, max(2, int(2 * len(nodes) ** 0.5)))

    def looks_categorical(name: str) -> bool:
        values = [data[name] for data in nodes]
        if any(isinstance(v, float) and not float(v).is_integer() for v in values):
            return False
        return 2 <= len(set(map(str, values))) <= limit

    named = [a for a in LABEL_ATTRIBUTES if a in shared]
    others = sorted(a for a in shared if a not in LABEL_ATTRIBUTES)
    return next((a for a in named + others if looks_categorical(a)), None)


def load_edge_list(source: str | os.PathLike | bytes, name: str | None = None) -> Dataset:
    """Rows ``source, target[, weight]``, separated by commas, tabs, semicolons or bars (the header line's most
    frequent) or else spaces; further columns are ignored. A header row is recognised by the words source/target
    (from/to, src/dst, …: :data:`ENDPOINTS`) or by a third column whose name is not a number above one that is;
    under a header, the weight is the column named like one (:data:`WEIGHTS`: Gephi's ``Weight`` after its
    ``Type, Id, Label``), else a third column of numbers. Duplicate edges are merged with their weights added."""
    text, name = source_text(source, name, "graph")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise DataError("the edge list is empty")
    delimiter = separator_of(lines[0], "\t,;|")  # None: spaces
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)) if delimiter else \
        [line.split() for line in lines]
    first, at = 1, 2  # the first data line's number, the weight's column
    named = edge_header(rows[0]) or (len(rows[0]) <= 3 and numbered_pair(rows[0]))
    weighted_below = len(rows) > 1 and len(rows[0]) > 2 and len(rows[1]) > 2 and not is_number(rows[0][2].strip()) \
        and is_number(rows[1][2].strip())  # a third column named, not a weight
    if named or weighted_below:
        rows_header = [h.strip().strip("\"'") for h in rows[0]]
        header, rows, first = [h.lower() for h in rows_header], rows[1:], 2
        at = next((j for j, h in enumerate(header) if h in WEIGHTS and j >= 2), None)
        timed = at is None and len(header) > 2 and TIMES.fullmatch(header[2]) is not None
        if at is None and not timed and len(header) > 2 and all(
                len(r) <= 2 or not r[2].strip() or is_number(r[2].strip()) for r in rows[:1000]):
            at = 2
    report = ValidationReport(n_found=0)
    if named:
        report.notes.append(f"an edge list: its header names the endpoints “{rows_header[0]}” and “{rows_header[1]}”"
                            + (f", the weights “{rows_header[at]}”" if at is not None and at < len(rows_header)
                               else f", no weights (each edge counts 1; “{rows_header[2]}” holds times, not "
                               "strengths)" if timed else ", no weights (each edge counts 1)")
                            + " (a table with such columns: load it as a table)")
    graph = nx.Graph()
    duplicates = dropped = 0
    for number, row in enumerate(rows, start=first):
        cells = [c.strip() for c in row]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise DataError(f"line {number}: expected 'source, target[, weight]', got {','.join(row)!r}")
        weight = 1.0
        if at is not None and len(cells) > at and cells[at]:
            try:
                weight = float(cells[at])
            except ValueError:
                raise DataError(f"line {number}: the weight {cells[at]!r} is not a number") from None
            if not weight > 0:  # a signed network's distrust, a negative correlation, zero, NaN: not a link
                graph.add_nodes_from(cells[:2])
                dropped += 1
                continue
        duplicates += add_edge(graph, cells[0], cells[1], weight)
    _merged_and_dropped(report, duplicates, dropped, "edge(s) with a weight of zero or less (or not a number) dropped: "
                        "the methods read a weight as the strength of a link, and a negative one is not a link")
    return graph_dataset(graph, name, report)


def _merged_and_dropped(report: ValidationReport, merged: int, dropped: int, why: str) -> None:
    """The report's notes on repeated edges merged and on edges dropped (``why``: what they were)."""
    if merged:
        report.notes.append(f"{merged} duplicate edge(s) merged (weights added)")
    if dropped:
        report.notes.append(f"{dropped:,} {why}")


def _gml(data: bytes) -> nx.Graph:
    """GML as network collections ship it (Newman's football, polbooks, karate): read as a multigraph, so that a
    repeated edge (football.gml has some) merges instead of failing; nodes named by their ``label``, or by their
    ``id`` where labels are missing or repeat."""
    text = decoded(data)
    if not re.search(r"^\s*multigraph\s", text, flags=re.M):
        text = re.sub(r"^(\s*graph\s*\[)", r"\1\n  multigraph 1", text, count=1, flags=re.M)
    try:
        return nx.parse_gml(text, label="label")
    except nx.NetworkXError:
        return nx.parse_gml(text, label="id")


def _matrix_market(data: bytes) -> nx.Graph:
    """A Matrix Market adjacency (SuiteSparse, Network Repository): node ``i`` is row ``i``, counted from 1 as the
    file counts; a value is an edge's weight (its magnitude: the methods read positive weights)."""
    from scipy.io import mmread
    from scipy.sparse import coo_matrix

    matrix = coo_matrix(mmread(io.BytesIO(data)))
    if matrix.shape[0] != matrix.shape[1]:
        raise DataError(f"a {matrix.shape[0]:,} × {matrix.shape[1]:,} matrix is not a graph's adjacency (it must be "
                        "square)")
    graph = nx.Graph()
    graph.add_nodes_from(str(i + 1) for i in range(matrix.shape[0]))
    for u, v, w in zip(matrix.row.tolist(), matrix.col.tolist(), matrix.data.tolist()):
        if u != v and w:
            graph.add_edge(str(u + 1), str(v + 1), weight=abs(float(w)))
    return graph


GRAPH_READERS = {  # suffix → (format's name, reader of the file's bytes)
    ".graphml": ("GraphML", lambda data: nx.read_graphml(io.BytesIO(data))),
    ".xml": ("GraphML", lambda data: nx.read_graphml(io.BytesIO(data))),
    ".gml": ("GML", _gml),
    ".gexf": ("GEXF (Gephi)", lambda data: nx.read_gexf(io.BytesIO(data))),
    ".net": ("Pajek", lambda data: nx.read_pajek(io.BytesIO(data))),
    ".paj": ("Pajek", lambda data: nx.read_pajek(io.BytesIO(data))),
    ".mtx": ("Matrix Market", _matrix_market),
}


def load_graph_file(source: str | os.PathLike | bytes, name: str | None = None, suffix: str | None = None) -> Dataset:
    """A graph file in one of :data:`GRAPH_READERS`' formats, by ``suffix`` (else the path's). Node attributes
    that look like classes become the labels (``categorical_attribute``); repeated edges are merged, weights added."""
    suffix = (suffix or ("" if isinstance(source, bytes) else Path(source).suffix)).lower()
    if suffix not in GRAPH_READERS:
        raise DataError(f"not a graph file this reads: expected one of {', '.join(GRAPH_READERS)}")
    kind, reader = GRAPH_READERS[suffix]
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = name or ("graph" if isinstance(source, bytes) else Path(source).stem)
    try:
        graph = reader(data)
    except DataError:
        raise
    except Exception as error:  # networkx and scipy raise several kinds for a malformed file
        raise DataError(f"not a readable {kind} file: {error}") from None
    report = ValidationReport(n_found=graph.number_of_nodes())
    if isinstance(graph, nx.MultiGraph):
        merged = nx.Graph()
        merged.add_nodes_from(graph.nodes(data=True))
        repeated = sum(add_edge(merged, u, v, float(data.get("weight", 1.0)))
                       for u, v, data in graph.edges(data=True) if u != v)
        if repeated:
            report.notes.append(f"{repeated} repeated edge(s) merged (weights added)")
        merged.add_edges_from((u, v, {"weight": 1.0}) for u, v in nx.selfloop_edges(graph))
        graph = merged
    return graph_dataset(graph, name, report)


def load_graphml(source: str | os.PathLike | bytes, name: str | None = None) -> Dataset:
    return load_graph_file(source, name, suffix=".graphml")


def karate() -> Dataset:
    """Zachary's karate club (34 members, 78 friendships); the true labels are the two clubs it split into."""
    return graph_dataset(nx.karate_club_graph(), "karate", ValidationReport(
        notes=["Zachary's karate club, from networkx: the club split into two (Mr. Hi's and the Officer's)"]),
        label_attribute="club")


def lesmis() -> Dataset:
    """Co-appearances of the 77 characters of Les Misérables (weighted); no true labels."""
    return graph_dataset(nx.les_miserables_graph(), "lesmis", ValidationReport(
        notes=["Les Misérables co-appearance network, from networkx (weights: scenes shared)"]))


def adjacency_table(frame, roles: dict, headless: bool) -> nx.Graph | None:
    """The graph a table holds as its adjacency matrix, or None: a node a row and a column, the columns named as
    the rows are (the first column names them; any order), weights never negative and at least half of the
    pairs unlinked (a distance or similarity matrix is dense and stays a table); without a header, a square
    matrix of 0s and 1s, the same both ways. A label column, if any, becomes the nodes' attribute of its name."""
    import numpy as np

    ids = next((c for c, role in roles.items() if role == "names"), None)
    label = next((c for c, role in roles.items() if role == "label"), None)
    columns = [c for c in frame.columns if c not in (ids, label)]
    n = len(frame)
    if n < 3 or len(columns) != n:
        return None
    if ids is not None:
        names = [str(v).strip() for v in frame[ids]]
        where = {str(c).strip(): c for c in columns}
        if set(where) != set(names) or len(set(names)) != n:
            return None
        columns = [where[name] for name in names]  # the columns in the rows' order
    elif not headless:
        return None
    else:
        names = [str(i + 1) for i in range(n)]
    try:
        matrix = frame[columns].to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        return None
    off = ~np.eye(n, dtype=bool)
    if not np.isfinite(matrix).all() or matrix.min() < 0 or np.mean(matrix[off] == 0) < 0.5 or not matrix[off].any():
        return None
    if ids is None and not (np.isin(matrix, (0.0, 1.0)).all() and np.array_equal(matrix, matrix.T)):
        return None
    weights = np.maximum(matrix, matrix.T)  # a link either way is a link (the larger weight)
    graph = nx.Graph()
    for i, name in enumerate(names):
        graph.add_node(name, **({} if label is None or frame[label].isna().iloc[i] else
                                {str(label): str(frame[label].iloc[i])}))
    rows, cols = np.nonzero(np.triu(weights, k=1))
    graph.add_edges_from((names[i], names[j], {"weight": float(weights[i, j])}) for i, j in zip(rows, cols))
    return graph


def node_link_graph(document: dict, name: str) -> Dataset:
    """A graph in D3's / networkx's node-link JSON (``nodes`` with an ``id`` each, ``links`` or ``edges`` with
    ``source`` and ``target``, an optional ``weight`` or ``value``), its node fields kept as attributes (a field of a
    few classes, such as ``group``, becomes the labels)."""
    links = document.get("links", document.get("edges"))
    graph = nx.Graph()
    for index, node in enumerate(document["nodes"]):
        fields = node if isinstance(node, dict) else {"id": node}
        key = fields.get("id", fields.get("name", index))
        graph.add_node(str(key), **{k: v for k, v in fields.items() if k not in ("id",) and
                                    isinstance(v, (str, int, float, bool))})
    names = list(graph.nodes())
    report = ValidationReport(n_found=len(names), notes=["read from node-link JSON (D3, networkx)"])
    dropped = repeated = 0
    for link in links:
        if not isinstance(link, dict) or "source" not in link or "target" not in link:
            raise DataError("a link of the JSON graph has no source and target")
        ends = []
        for end in (link["source"], link["target"]):
            end = end.get("id", end.get("name")) if isinstance(end, dict) else end
            # D3 writes a node's index where the nodes have no ids
            ends.append(str(end) if str(end) in graph else names[end] if isinstance(end, int) and 0 <= end < len(names)
                        else str(end))
        weight = link.get("weight", link.get("value", 1.0))
        weight = float(weight) if isinstance(weight, (int, float)) and not isinstance(weight, bool) else 1.0
        if weight <= 0 or ends[0] == ends[1]:
            dropped += 1
            continue
        repeated += add_edge(graph, ends[0], ends[1], weight)
    _merged_and_dropped(report, repeated, dropped, "link(s) of zero or negative weight, or from a node to itself, "
                        "dropped")
    return graph_dataset(graph, name, report)
