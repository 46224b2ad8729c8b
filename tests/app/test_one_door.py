"""The app reaches the engine only through ``engine.api``, and everything it asks of it is there."""

from __future__ import annotations

import ast
from pathlib import Path

from engine import api

APP = Path(__file__).resolve().parents[2] / "app"


def modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_app_modules_import_no_engine_module_but_api():
    wrong = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "engine":
                if not (node.module == "engine" and [a.name for a in node.names] == ["api"]) \
                        and node.module != "engine.api":
                    wrong.append(f"{path.relative_to(APP)}:{node.lineno} from {node.module} import ...")
            elif isinstance(node, ast.Import):
                wrong += [f"{path.relative_to(APP)}:{node.lineno} import {a.name}" for a in node.names
                          if a.name.split(".")[0] == "engine" and a.name != "engine.api"]
    assert len(modules()) > 10 and not wrong, wrong


def test_every_name_the_app_takes_from_api_exists():
    used = set()
    for path in modules():
        tree = ast.parse(path.read_text())
        used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                 and isinstance(node.value, ast.Name) and node.value.id == "api"}
        used |= {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "engine.api"
                 for a in node.names}
    missing = sorted(name for name in used if not hasattr(api, name))
    assert len(used) > 50 and not missing, missing
    assert not (set(api.__all__) - set(dir(api)) - set(api._LAZY))
