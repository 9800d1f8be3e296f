"""Normalisation and terms are the same at index and query time."""
from search.analysis import (DisplayForm, Highlighter, analyse_query, compact, highlight_spans, index_chars,
                             index_terms, normalise, normalise_with_offsets, snippet, text_forms)
from search.domain.model import marked


def test_traditional_becomes_simplified():
    assert normalise("鍋爐房安全檢查") == "锅炉房安全检查"


def test_full_width_folds_to_half_width():
    assert normalise("ＧＢ／Ｔ　５０２７８") == "gb/t 50278"


def test_inline_pinyin_glosses_are_removed():
    assert normalise("發(fā)展應(yīng)用") == "发展应用"
    assert normalise("安全（ān quán）生产") == "安全生产"


def test_parentheses_that_are_not_glosses_stay():
    assert normalise("检修(2026)计划") == "检修(2026)计划"


def test_cjk_runs_become_bigrams_a_lone_character_stays_words_stay_whole():
    assert index_terms("鋼鐵廠 safety 2026 炉") == ["钢铁", "铁厂", "safety", "2026", "炉"]
    assert index_terms("3號高爐") == ["3", "号高", "高炉"]
    assert index_chars("鋼鐵 钢") == ["钢", "铁"]


def test_a_query_splits_into_words_characters_and_phrases():
    query = analyse_query('安全閥 钢 "壓力 錶" “一号高炉”')
    assert query.words == ("安全阀",) and query.chars == ("钢",)
    assert query.phrases == ("压力 表", "一号高炉")
    assert query.needles() == ["安全", "全阀", "钢", "压力", "表", "一号", "号高", "高炉"]


def test_a_one_term_phrase_is_a_word_and_an_unclosed_quote_is_ignored():
    assert analyse_query('"安全" 规程"').words == ("安全", "规程")
    assert analyse_query("!!! ...").is_empty


def test_offsets_map_normalised_characters_back_to_the_original():
    text, origin = normalise_with_offsets("發(fā)展ＡＢ")
    assert text == "发展ab" and origin == [0, 5, 6, 7]
    assert normalise_with_offsets("锅炉房")[1] is None  # lengths unchanged: the same positions


# Glosses, width forms that become several characters (……, ㎡), a final
# sigma that lower-cases differently alone, and plain text.
UNEVEN = ["發(fā)展ＡＢ", "換熱站……擴(kuò)建工程", "一期擴(kuò)建面積１２０００㎡……安裝循環泵(bèng)六臺。",
          "ΟΔΟΣ… 檢修", "ｶﾀｶﾅ①安全", "锅炉房", ""]


def test_a_display_form_holds_the_offset_map_in_its_jumps():
    for text in UNEVEN:
        normalised, origin = normalise_with_offsets(text)
        form = DisplayForm.of(text)
        assert form.normalised == normalised
        assert [form.original(i) for i in range(len(normalised))] == (origin or list(range(len(normalised))))
    assert DisplayForm.of("發(fā)展ＡＢ").jumps == ((1, 5),)
    assert DisplayForm.of("锅炉房，安全阀。").jumps == ()


def test_a_display_form_survives_its_stored_text():
    for text in UNEVEN + ["控制字符\x1f与分号;逗号,"]:
        form = DisplayForm.of(text)
        assert DisplayForm.from_text(form.to_text()) == form


def test_text_forms_index_the_normalised_text_and_display_one_in_step_with_the_original():
    forms = text_forms("ΟΔΟΣ… 檢修")
    assert forms.normalised == normalise("ΟΔΟΣ… 檢修") == "οδος... 检修"
    assert forms.display.normalised == "οδοσ... 检修"  # lower-cased letter by letter, to keep positions
    assert forms.terms() == " ".join(index_terms("ΟΔΟΣ… 檢修")) and forms.chars() == "检 修"


def test_highlights_from_a_stored_form_mark_the_original_spans():
    highlighter = Highlighter(analyse_query("换热站 循环泵 扩建 12000m2").needles())
    text = UNEVEN[2]
    stored = DisplayForm.from_text(text_forms(text).display.to_text())
    assert marked(text, highlighter.spans(text, stored), "[", "]") == \
        "一期[擴(kuò)建]面積[１２０００㎡]……安裝[循環泵](bèng)六臺。"
    assert highlighter.snippet(text, 12, stored) == highlighter.snippet(text, 12)  # made at query time
    title = UNEVEN[1]
    assert marked(title, highlighter.spans(title, DisplayForm.of(title)), "[", "]") == "[換熱站]……[擴(kuò)建]工程"


def test_matches_are_marked_in_the_original_script():
    title = "鍋爐房安全閥(fá)檢查"
    spans = highlight_spans(title, analyse_query("安全阀").needles())
    assert marked(title, spans, "<", ">") == "鍋爐房<安全閥>(fá)檢查"


def test_snippet_is_a_window_around_the_matches():
    body = "前言。" * 40 + "各班组须检查压力表和安全阀。" + "附则。" * 40
    text, spans = snippet(body, analyse_query("安全阀").needles(), 30)
    assert text.startswith("…") and text.endswith("…") and len(text) == 32
    assert [text[s.start:s.end] for s in spans] == ["安全阀"]


def test_suggestions_compare_compact_normalised_text():
    assert compact("鍋爐房 安全") == "锅炉房安全"


def test_the_fast_width_folding_equals_nfkc_where_it_applies():
    import unicodedata

    from search.analysis import fold_width
    sample = "".join(chr(c) for c in [*range(0x20, 0x7F), 0x3000, 0x3001, 0x3002, *range(0xFF01, 0xFF5F),
                                      *range(0x4E00, 0x9FFF, 7)])
    assert fold_width(sample) == unicodedata.normalize("NFKC", sample)
    assert fold_width("ｶﾀｶﾅ①") == "カタカナ1"  # other forms still go through NFKC


def test_width_folding_of_a_few_or_many_wide_forms_equals_nfkc():
    import unicodedata

    from search.analysis import fold_width
    for sample in ("安全，规程！（试行）：第１条", "ＡＢＣＤＥＦＧＨＩＪ，。", "　", "no wide forms"):
        assert fold_width(sample) == unicodedata.normalize("NFKC", sample)


def test_latin_needles_match_whole_words_and_overlapping_bigrams_merge():
    text = "GB/T 6067: gbt ab-12 安全阀门安全"
    spans = highlight_spans(text, analyse_query("gb 12 安全阀 全阀门").needles())
    assert [text[s.start:s.end] for s in spans] == ["GB", "12", "安全阀门", "安全"]
    assert highlight_spans(text, []) == ()
