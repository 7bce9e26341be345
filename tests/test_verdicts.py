"""The rules that turn a chapter's numbers into a scorecard verdict (each is a threshold, so each can fail)."""

from __future__ import annotations

import pandas as pd

from tgnas.data.nb201 import DATASETS
from tgnas.experiments import darts_search, independence, nb201_results, predictor


def test_fig2_keeps_its_verdict_tied_to_the_share_of_tau_retained():
    fig2 = pd.DataFrame({"train fraction": [0.5, 0.01], "kendall_tau": [0.80, 0.70]})
    assert predictor.fig2_verdict(fig2, on_nb101=True) == "reproduced"
    assert predictor.fig2_verdict(fig2, on_nb101=False) == "partly"  # the NB201 stand-in is at best partly
    fig2.loc[1, "kendall_tau"] = 0.5
    assert predictor.fig2_verdict(fig2, on_nb101=True) == "not reproduced"


def _table3(tg_first_on: int) -> pd.DataFrame:
    columns = pd.MultiIndex.from_product([["tau", "rho"], DATASETS])
    rows = {"TG": [0.5] * 6, "nwot": [0.6] * 6}
    frame = pd.DataFrame(rows, index=columns).T
    for dataset in DATASETS[:tg_first_on]:
        frame.loc["TG", ("tau", dataset)] = frame.loc["TG", ("rho", dataset)] = 0.7
    return frame


def test_table3_is_reproduced_only_where_tg_leads_tau_and_rho():
    assert independence.table3_verdict(_table3(3)) == "reproduced"
    assert independence.table3_verdict(_table3(1)) == "partly"
    assert independence.table3_verdict(_table3(0)) == "not reproduced"


def _most_independent_first(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(index=names)


def test_independence_needs_tg_and_zen_as_the_two_most_independent():
    assert independence.independence_verdict(_most_independent_first(["zen", "TG", "nwot"])) == "reproduced"
    assert independence.independence_verdict(_most_independent_first(["plain", "zen", "TG"])) == "partly"
    assert independence.independence_verdict(_most_independent_first(["plain", "nwot", "TG"])) == "not reproduced"


def test_table4_and_the_search_times_compare_with_the_paper_numbers():
    paper = nb201_results.PAPER_TABLE4.set_index("method").loc["TG-NAS (paper)", nb201_results.ACCURACY_COLUMNS]
    runs = pd.DataFrame({column: [paper[column]] for column in nb201_results.ACCURACY_COLUMNS})
    runs["search_s"] = [1.0]
    assert nb201_results.table4_verdict(runs) == "reproduced"
    runs[nb201_results.ACCURACY_COLUMNS[2]] -= 1.0  # one dataset more than half a point short
    assert nb201_results.table4_verdict(runs) == "partly"
    assert nb201_results.search_time_verdict(runs) == "reproduced"
    runs["search_s"] = [41.0]
    assert nb201_results.search_time_verdict(runs) == "not reproduced"
    assert darts_search.search_time_verdict(pd.DataFrame({"search_s": [5.0, 119.0]})) == "reproduced"
    assert darts_search.search_time_verdict(pd.DataFrame({"search_s": [5.0, 130.0]})) == "not reproduced"
