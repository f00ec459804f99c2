"""Fuzz over the config and scenario loaders: any document, text or bytes gives a config/scenario or an
InputError (Chinese, listing every problem), never another exception; the file read is never changed."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstrong.analysis.scenarios import load_scenario, parse_scenario
from qstrong.config import ScoringConfig
from qstrong.errors import InputError
from qstrong.textfiles import decode, load_json, load_yaml

# ── fuzz: any document or bytes → a config/scenario or an InputError, never another exception ──────
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8)
    | st.sampled_from(["*", "10", "15", "efficacy", "variants", "base", "span", "gate", "change", "goalposts",
                       "policy", "k", "low", "high", "topk", "fixed", "quantile", "pp", "name", "changes", "measure",
                       "add", "grow", "set", "who", "q40.invention_patents", "q34.online_rate", "all"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["efficacy", "variants", "*", "10", "33", "15", "base", "span", "gate", "change", "goalposts",
                         "policy", "k", "low", "high", "name", "changes", "measure", "add", "grow", "set", "who",
                         "note", "unmapped", "target"]) | st.text(max_size=4), inner, max_size=5),
    max_leaves=25)


def _either(load) -> None:
    """`load()` succeeds, or raises an InputError whose every problem is Chinese text."""
    try:
        load()
    except InputError as exc:
        assert exc.problems and all(any("\u4e00" <= ch <= "\u9fff" for ch in str(p)) for p in exc.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSONISH)
def test_fuzz_config_and_scenario_from_data(doc):
    _either(lambda: ScoringConfig.from_dict(doc))
    _either(lambda: parse_scenario(doc))
    _either(lambda: ScoringConfig.from_dict({"efficacy": {"*": doc, "10": doc}, "variants": doc}))
    _either(lambda: parse_scenario({"name": "x", "changes": [doc, {"measure": "q40.invention_patents", "add": doc},
                                                              {"measure": "q34.online_rate", "set": doc}]}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                 JSONISH.map(lambda d: json.dumps(d, ensure_ascii=False).encode()),
                 st.text(alphabet="{}[]:,-&*!|>'\"\n #.?0123456789abyesnotrufl", max_size=120).map(str.encode)))
def test_fuzz_loaders_from_bytes(data):
    def text() -> str:
        return decode(data, "fuzz")

    _either(lambda: ScoringConfig.from_dict(load_json(text(), "fuzz")))
    _either(lambda: parse_scenario(load_yaml(text(), "fuzz")))
    _either(lambda: parse_scenario(load_json(text(), "fuzz")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=120), st.sampled_from([".json", ".yaml"]))
def test_fuzz_files_through_the_loaders(tmp_path, data, suffix):
    p = tmp_path / f"f{suffix}"
    p.write_bytes(data)
    _either(lambda: load_scenario(p))
    if suffix == ".json":
        _either(lambda: ScoringConfig.from_json(p))
    assert p.read_bytes() == data
