import pytest

from engine.params import Choice, Float, Int, Param, resolve


def test_resolve_fills_defaults_and_coerces_cli_strings():
    params = (Int("k", 10, 2, 50), Float("eps", 0.5, 0.0, 5.0), Choice("link", "ward", ("ward", "single")),
              Param("flag", "bool", False))
    assert resolve(params, {"k": "7", "flag": "yes"}) == {"k": 7, "eps": 0.5, "link": "ward", "flag": True}


@pytest.mark.parametrize("given, message", [
    ({"k": 1}, "outside"), ({"k": "ten"}, "expected a int"), ({"k": 2.5}, "whole number"),
    ({"link": "median"}, "not one of"), ({"nope": 1}, "unknown parameter"), ({"flag": "maybe"}, "true/false"),
])
def test_resolve_rejects_bad_values_with_a_clear_message(given, message):
    params = (Int("k", 10, 2, 50), Choice("link", "ward", ("ward", "single")), Param("flag", "bool", False))
    with pytest.raises(ValueError, match=message):
        resolve(params, given)
