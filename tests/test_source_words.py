"""The score card names its data sources in Chinese (no raw ids such as synthetic or real:…)."""

from __future__ import annotations

from qstrong.benchmark import benchmark
from qstrong.display import source_words, sources_text


def test_source_ids_in_chinese():
    assert source_words("synthetic") == "合成数据（虚构）"
    assert source_words("real:http://example.cn/a.html") == "公开来源：http://example.cn/a.html"
    assert source_words("示例数据（虚构）") == "示例数据（虚构）"
    assert sources_text(["synthetic", "real:x", "a", "b", "c"]) == "合成数据（虚构）；公开来源：x；a；b 等5项"


def test_scorecard_sources_line_has_no_raw_ids():
    bench = benchmark("data/sample/zibo_panel.csv", "临淄区", peer_panel="shandong")
    card = bench.scores.county("临淄区") if hasattr(bench.scores, "county") else None
    text = str(card) if card is not None else ""
    line = next((ln for ln in text.splitlines() if ln.startswith("数据来源")), "")
    assert line, text[:500]
    assert "synthetic" not in line and "real:" not in line
