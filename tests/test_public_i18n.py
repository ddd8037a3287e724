"""The English site translates every word a statutory table or form prints around its
figures: header cells, captions, notes and titles. Each must be listed in
disclosures/specs/vocabulary.py (so makemessages keeps it) and translated in locale/en.
The figures and the names in the rows stay as published."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from disclosures.models import Disclosure, TableKey
from disclosures.specs import SPECS, performance_forms
from disclosures.specs.base import NOTE, UNIT_LINE
from disclosures.specs.vocabulary import HEADER_WORDS

# What the table partial prints before a clerk's note on an empty table.
EMPTY_TABLE_LABEL = "空表说明："


def table_words() -> dict[str, str]:
    """Each word a statutory table prints around its rows, with where it comes from."""
    words = {NOTE: "NOTE", UNIT_LINE: "UNIT_LINE", EMPTY_TABLE_LABEL: "statutory_table.html"}
    for key, spec in SPECS.items():
        for header_row in spec.header:
            for cell in header_row:
                if cell.text:
                    words.setdefault(cell.text, f"{key} header")
    return words


def form_words() -> dict[str, str]:
    """The forms' titles and header cells, as the demo's forms print them; a title that
    starts with the department and year (the project list's) by its fixed part."""
    words = {}
    for disclosure in Disclosure.objects.published().select_related("department"):
        department = disclosure.department.name
        forms = performance_forms(disclosure)
        for form in (forms["department_form"], *forms["project_forms"], forms["project_list"]):
            if form is None:
                continue
            title = form.title.removeprefix(f"{department}{disclosure.fiscal_year}年")
            words.setdefault(title, f"{form.key} title")
            for header_row in form.header:
                for cell in header_row:
                    if cell.text:
                        words.setdefault(cell.text, f"{form.key} header")
            for caption in form.captions:
                if department not in caption:
                    words.setdefault(caption, f"{form.key} caption")
    return words


@pytest.mark.parametrize(("word", "source"), table_words().items(), ids=list(table_words()))
def test_every_table_header_word_is_in_the_vocabulary(word, source):
    assert word in HEADER_WORDS, f"{source}: add {word!r} to specs/vocabulary.py"


@pytest.mark.django_db
def test_every_form_title_and_header_word_is_in_the_vocabulary():
    words = form_words()
    assert "部门整体支出绩效目标表" in words and "项目支出绩效目标表" in words
    missing = {word: source for word, source in words.items() if word not in HEADER_WORDS}
    assert missing == {}, "add these to specs/vocabulary.py"


@pytest.mark.parametrize("word", HEADER_WORDS)
def test_every_vocabulary_word_has_an_english_translation(word):
    with translation.override("en"):
        english = gettext(word)
    assert english != word, f"translate {word!r} in locale/en/LC_MESSAGES/django.po"
    assert not any("\u4e00" <= char <= "\u9fff" for char in english), english


@pytest.mark.django_db
def test_the_vocabulary_lists_only_words_something_prints():
    """A word no table or form prints any more leaves the vocabulary too."""
    assert set(HEADER_WORDS) - set(table_words()) - set(form_words()) == set()
    assert len(HEADER_WORDS) == len(set(HEADER_WORDS))


@pytest.mark.parametrize("key", TableKey.values)
def test_every_table_title_has_an_english_translation(key):
    title = TableKey(key).label
    with translation.override("en"):
        english = str(title)
    with translation.override("zh-hans"):
        chinese = str(title)
    assert english != chinese
