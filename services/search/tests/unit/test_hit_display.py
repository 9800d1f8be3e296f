"""What both engines return for a hit, from the stored fields."""
from search.adapters.hit_display import SNIPPET_SOURCE_CHARS, display_hit, snippet_source
from search.analysis import Highlighter, analyse_query, text_forms
from search.domain.model import ItemKind, marked

TITLE = "換熱站……擴(kuò)建工程"
BODY = "一期擴(kuò)建面積１２０００㎡……二期將新建換熱站三座，安裝循環泵(bèng)六臺，" * 3


def stored(with_forms: bool) -> dict:
    fields = dict(kind="document", item_id="d-plant", title=TITLE, body=BODY, published_us=1_790_000_000_000_000,
                  department="热力厂", category="plan", author_id="u-he")
    if with_forms:
        fields.update(title_form=text_forms(TITLE).display.to_text(), body_form=text_forms(BODY).display.to_text())
    return fields


def test_stored_display_forms_give_the_hit_a_query_time_normalisation_gives():
    highlighter = Highlighter(analyse_query("换热站 扩建 循环泵").needles())
    hit = display_hit(stored(with_forms=True), 1.5, highlighter)
    assert hit == display_hit(stored(with_forms=False), 1.5, highlighter)  # an item indexed before forms were
    assert hit.kind is ItemKind.DOCUMENT and hit.department == "热力厂"
    assert marked(hit.title, hit.title_matches, "[", "]") == "[換熱站]……[擴(kuò)建]工程"
    assert marked(hit.snippet, hit.snippet_matches, "[", "]").startswith("一期[擴(kuò)建]面積")
    assert "[循環泵](bèng)" in marked(hit.snippet, hit.snippet_matches, "[", "]")


def test_a_long_body_is_kept_up_to_a_boundary_before_the_limit_and_marked_as_going_on():
    sentence = "安装循环泵(bèng)六台，"  # 15 characters, a gloss in each
    opening = "总" * ((SNIPPET_SOURCE_CHARS - 7) % len(sentence))
    body = opening + sentence * (SNIPPET_SOURCE_CHARS // len(sentence) + 10)
    assert body[SNIPPET_SOURCE_CHARS - 2:SNIPPET_SOURCE_CHARS] == "(b"  # the limit falls inside a gloss
    kept, form = snippet_source(body, text_forms(body))
    assert len(kept) <= SNIPPET_SOURCE_CHARS + 1 and kept.endswith("，…") and body.startswith(kept[:-1])
    assert form == text_forms(kept).display  # the display form of what is kept, nothing cut half-way
    hit = display_hit(dict(stored(with_forms=False), body=kept, body_form=form.to_text()), 1.0,
                      Highlighter(analyse_query("六台").needles()))
    assert "安装循环泵(bèng)[六台]" in marked(hit.snippet, hit.snippet_matches, "[", "]")


def test_a_short_body_is_kept_whole_with_the_forms_it_has():
    forms = text_forms(BODY)
    assert snippet_source(BODY, forms) == (BODY, forms.display)


def test_a_cut_never_leaves_a_gloss_open():
    # A gloss of two syllables, a space inside it, and no other mark near the limit.
    sentence = "推广新技术应用(yīng yòng)经验"
    opening = "总" * ((SNIPPET_SOURCE_CHARS - 12) % len(sentence))
    body = opening + sentence * (SNIPPET_SOURCE_CHARS // len(sentence) + 10)
    assert body[SNIPPET_SOURCE_CHARS - 4:SNIPPET_SOURCE_CHARS] == "yīng"  # the limit falls inside a gloss
    kept, form = snippet_source(body, text_forms(body))
    assert kept.endswith("应用…") and body.startswith(kept[:-1]) and form == text_forms(kept).display


def test_a_bracket_the_text_leaves_open_long_before_the_limit_does_not_shorten_what_is_kept():
    body = "附录（未完" + "巡线人员按路线逐段检查管沟和井室，" * (SNIPPET_SOURCE_CHARS // 17 + 10)
    kept, _ = snippet_source(body, text_forms(body))
    assert len(kept) > SNIPPET_SOURCE_CHARS - 20 and kept.endswith("，…")
