"""What both engines return for a hit, from the stored fields."""
from search.adapters.hit_display import display_hit
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
