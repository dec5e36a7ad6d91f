"""The GSM 7-bit alphabet in one module: its tables, septet counting, folding, and the drafting
form's live counters reading the same tables (never a copy in the JavaScript)."""

import html as html_lib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from alerts import gsm7

from .conftest import make_draft


def test_the_tables_hold_the_128_basic_septets_less_escape_and_the_ten_extension_characters():
    assert len(gsm7.BASIC) == 127  # 128 code points, ESC (0x1B) not a character
    assert frozenset("^{}\\[~]|€\f") == gsm7.EXTENSION
    assert not gsm7.BASIC & gsm7.EXTENSION
    assert {"@", "£", "Δ", "é", "ñ", "ü", "à", "\n"} <= gsm7.BASIC
    assert not {"á", "í", "ó", "ú", "ç", "`"} & gsm7.BASIC


def test_extension_characters_take_two_septets():
    assert gsm7.septets("abc") == 3
    assert gsm7.septets("[€]") == 6
    assert gsm7.is_gsm7("Llame al 911 [€5] ñ é ü")
    assert not gsm7.is_gsm7("policía")
    assert gsm7.invalid_chars("policía ✓ í") == ["í", "✓"]


def test_clip_counts_septets_not_characters():
    assert gsm7.clip("x" * 90, 90) == "x" * 90
    # 45 extension characters are 90 septets: they fit; 46 do not, and are cut to 87 septets + "...".
    assert gsm7.clip("€" * 45, 90) == "€" * 45
    assert gsm7.clip("€" * 46, 90) == "€" * 43 + "..."


def test_fold_takes_accents_off_letters_the_alphabet_lacks_and_keeps_the_ones_it_has():
    assert gsm7.fold("“Don’t” – Llame al policía") == '"Don\'t" - Llame al policia'
    assert gsm7.fold("Ñandú ñ ü é ç") == "Ñandu ñ ü é c"
    assert gsm7.fold("Emoji 🚓 kept") == "Emoji 🚓 kept"
    assert gsm7.fold("Emoji 🚓 dropped", drop_others=True) == "Emoji  dropped"


def test_the_javascript_holds_no_copy_of_the_alphabet():
    script = (Path(settings.BASE_DIR) / "static" / "alerts" / "alert_edit.js").read_text()
    assert "ΦΓΛΩ" not in script and "€" not in script and "\\u201c" not in script


@pytest.mark.django_db
def test_the_drafting_form_hands_the_counters_the_module_s_own_tables(login, alice, agency_a):
    alert = make_draft(alice, agency_a)
    html = login(alice).get(reverse("alerts:alert-edit", args=[alert.public_id])).content.decode()
    attribute = re.search(r'data-gsm7="([^"]*)"', html).group(1)
    tables = json.loads(html_lib.unescape(attribute))
    assert set(tables["basic"]) == gsm7.BASIC
    assert set(tables["extension"]) == gsm7.EXTENSION
    assert tables["typographic"] == gsm7.TYPOGRAPHIC
