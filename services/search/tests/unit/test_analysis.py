"""Normalisation and terms are the same at index and query time."""
from search.analysis import index_terms, normalise, query_terms


def test_traditional_becomes_simplified():
    assert normalise("鍋爐房安全檢查") == "锅炉房安全检查"


def test_full_width_folds_to_half_width():
    assert normalise("ＧＢ／Ｔ　５０２７８") == "gb/t 50278"


def test_inline_pinyin_glosses_are_removed():
    assert normalise("發(fā)展應(yīng)用") == "发展应用"
    assert normalise("安全（ān quán）生产") == "安全生产"


def test_parentheses_that_are_not_glosses_stay():
    assert normalise("检修(2026)计划") == "检修(2026)计划"


def test_cjk_runs_become_bigrams_and_unigrams_words_stay_whole():
    assert index_terms("鋼鐵廠 safety 2026") == ["钢铁", "铁厂", "钢", "铁", "厂", "safety", "2026"]


def test_query_in_either_script_gives_the_same_terms():
    assert query_terms("安全閥") == query_terms("安全阀") == ["安全", "全阀"]


def test_a_single_character_query_is_kept():
    assert query_terms("钢") == ["钢"]
    assert "钢" in index_terms("钢铁")
