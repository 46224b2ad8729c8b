"""Label propagation (networkx, asynchronous, seeded)."""

from engine.cluster.graph_shared import GRAPH, Communities
from engine.registry import Entry


def make(seed: int, **_: object) -> Communities:
    return Communities("label_propagation", random_state=seed)


ENTRY = Entry(
    name="label_propagation", label="Label propagation (graph)", make=make,
    description="Each node takes its neighbours' most common label until nothing changes; fast, no parameters.",
    tags=GRAPH)
