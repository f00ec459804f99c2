"""Report tables show 0–1 shares (P(top 10), …) as percentages, as the sentences beside them do."""

from __future__ import annotations

import pandas as pd

from qstrong.reports.nb import table


def test_shares_shown_as_percent():
    df = pd.DataFrame({"p_top10": [0.04, None], "p_top30": [0.958, 1.0], "total_median": [77.712, 80.0]},
                      index=pd.Index(["临淄区", "张店区"], name="county"))
    html = table(df).to_html()
    assert "4.0%" in html and "95.8%" in html and "100.0%" in html
    assert "77.71" in html and "0.04<" not in html and "—" in html
