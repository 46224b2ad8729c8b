"""Declared parameters: every registry entry lists its knobs so the UI and CLI build controls.

A registry entry (reducer, clusterer, feature extractor) carries a tuple of
:class:`Param`. The app turns each into a widget, the CLI into ``--param name=value``
parsing, and :func:`resolve` validates a user's dict against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

ParamKind = Literal["int", "float", "choice", "bool", "text"]


@dataclass(frozen=True)
class Param:
    """One tunable parameter of a registry entry.

    Parameters
    ----------
    name : keyword passed to the entry's ``make`` function.
    kind : ``int``, ``float``, ``choice`` or ``bool``.
    default : value used when the user gives none.
    low, high : inclusive range for numbers.
    choices : allowed values for ``choice``.
    help : one sentence shown next to the control.
    auto : a value outside the range that is accepted and means "choose automatically".
    """

    name: str
    kind: ParamKind
    default: Any
    low: float | None = None
    high: float | None = None
    choices: Sequence[Any] = field(default_factory=tuple)
    help: str = ""
    step: float | None = None
    auto: Any = None  # a value outside [low, high] that means "choose for me" (K = 0)

    def coerce(self, value: Any) -> Any:
        """Convert ``value`` (possibly a CLI string) to this parameter's type and check its range."""
        if self.kind == "bool":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in {"1", "0", "true", "false", "yes", "no"}:
                    raise ValueError(f"{self.name}: expected true/false, got {value!r}")
                return lowered in {"1", "true", "yes"}
            return bool(value)
        if self.kind == "text":
            return str(value)
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(f"{self.name}: {value!r} is not one of {list(self.choices)}")
            return value
        try:
            number = int(value) if self.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name}: expected a {self.kind}, got {value!r}") from None
        if self.kind == "int" and isinstance(value, float) and not float(value).is_integer():
            raise ValueError(f"{self.name}: expected a whole number, got {value!r}")
        if self.auto is not None and number == self.auto:
            return number
        if self.low is not None and number < self.low or self.high is not None and number > self.high:
            auto = f" ({self.auto} = auto)" if self.auto is not None else ""
            raise ValueError(f"{self.name}: {number} is outside [{self.low}, {self.high}]{auto}")
        return number


def Int(name: str, default: int, low: int, high: int, help: str = "", auto: int | None = None) -> Param:
    return Param(name, "int", default, low, high, help=help, auto=auto)


def Float(name: str, default: float, low: float, high: float, help: str = "", step: float | None = None) -> Param:
    return Param(name, "float", default, low, high, help=help, step=step)


def Choice(name: str, default: Any, choices: Sequence[Any], help: str = "") -> Param:
    return Param(name, "choice", default, choices=tuple(choices), help=help)


def resolve(params: Sequence[Param], given: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults overlaid with ``given``, each value coerced; unknown names are an error."""
    given = dict(given or {})
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; expected some of {sorted(known)}")
    return {p.name: p.coerce(given.get(p.name, p.default)) for p in params}
