"""Channel texts: generation fits every limit, GSM-7 rules, typography replacement, Spanish, EAS."""

import pytest

from alerts import services, texts
from alerts.forms import AlertForm
from alerts.gsm7 import invalid_chars as gsm_invalid_chars
from alerts.gsm7 import replace_typography
from alerts.gsm7 import septets as gsm_length
from alerts.texts import texts_problems

from .conftest import make_draft


def test_typographic_quotes_dashes_and_ellipsis_are_replaced():
    assert replace_typography("“Stop” – don’t … go—now") == '"Stop" - don\'t ... go-now'


def test_gsm_length_counts_extension_characters_twice():
    assert gsm_length("abc") == 3
    assert gsm_length("[€]") == 6
    assert gsm_invalid_chars("Llame al 911 ya: policía ñ é ü") == ["í"]
    assert gsm_invalid_chars("emoji 🚓 and ✓") == ["🚓", "✓"]


def test_wea_text_rules_refuse_over_long_and_non_gsm_text():
    problems = texts_problems({"wea_short_en": "x" * 91, "wea_long_es": "Atención", "wea_long_en": "{" * 181})
    assert "91 characters; the limit is 90" in problems["wea_short_en"][0]
    assert "GSM" in problems["wea_long_es"][0] and "ó" in problems["wea_long_es"][0]
    assert "362 characters" in problems["wea_long_en"][0]
    assert texts_problems({"wea_short_en": "x" * 90, "wea_long_en": "[" * 180}) == {}


def test_an_eas_script_over_two_minutes_is_refused():
    assert "eas_script" in texts_problems({"eas_script": "word " * 320})
    assert texts_problems({"eas_script": "word " * 280}) == {}


@pytest.mark.django_db
def test_generated_texts_fit_and_pass_the_rules(alice, agency_a):
    alert = make_draft(alice, agency_a)
    generated = texts.generate_texts(alert)
    assert texts_problems(generated) == {}
    assert generated["wea_short_en"] == "BLUE ALERT: Austin TX. Suspect in Black 2019 Ford F-150 TX ABC1234. Call 911."
    assert gsm_length(generated["wea_short_en"]) <= 90 and gsm_length(generated["wea_long_en"]) <= 360
    assert generated["wea_short_es"].startswith("ALERTA AZUL: Austin TX.")
    assert "Llame al 911" in generated["wea_short_es"]
    assert "heading north" in generated["wea_long_en"] and "rumbo al norte" in generated["wea_long_es"]
    assert "John Doe" in generated["description_en"] and "Sospechoso 1: John Doe" in generated["description_es"]
    assert "resultó" in generated["description_es"]  # the web description keeps proper Spanish
    assert texts.eas_seconds(generated["eas_script"]) < 120
    assert generated["headline"].startswith("Blue Alert: An officer was seriously injured in Austin, TX")


@pytest.mark.django_db
def test_generated_texts_shorten_to_fit_a_long_description(alice, agency_a):
    alert = make_draft(alice, agency_a)
    services.alert_save_draft(
        actor=alice,
        alert=alert,
        fields={"incident_city": "Llanfairpwllgwyngyll-Gogerychwyrndrobwll"},
        suspects=[
            {
                "id": alert.suspects.get().pk,
                "name": "Maximiliano Bartholomew Featherstonehaugh-Smythe",
                "clothing": "a very long description of clothing " * 4,
            }
        ],
        vehicles=[
            {
                "id": alert.vehicles.get().pk,
                "make": "Mercedes-Benz",
                "model": "Sprinter 3500 High Roof",
                "color": "Silver",
                "plate": "ABC1234",
            }
        ],
        regenerate_texts=True,
    )
    alert.refresh_from_db()
    assert texts_problems({f: getattr(alert, f) for f in texts.TEXT_FIELDS}) == {}
    assert gsm_length(alert.wea_short_en) <= 90 and "Call 911" in alert.wea_short_en


@pytest.mark.django_db
def test_exercise_texts_say_exercise(alice, agency_a):
    alert = make_draft(alice, agency_a, exercise=True)
    assert alert.wea_short_en.startswith("BLUE ALERT EXERCISE")
    assert alert.wea_short_es.startswith("SIMULACRO")
    assert alert.headline.startswith("EXERCISE")
    assert alert.description_en.startswith("EXERCISE")
    assert alert.eas_script.startswith("This is an exercise.")


@pytest.mark.django_db
def test_the_form_replaces_typography_and_refuses_non_gsm_wea_text(alice, agency_a):
    alert = make_draft(alice, agency_a)
    data = {
        "trigger": "injured",
        "statewide": "on",
        "wea_short_en": "BLUE ALERT: “Austin” — call 911…",
        "wea_long_es": "Llame a la policía",
        "wea_short_es": "y" * 95,
        "officer_release": "private",
    }
    form = AlertForm(data, instance=alert)
    assert not form.is_valid()
    assert form.cleaned_data["wea_short_en"] == 'BLUE ALERT: "Austin" - call 911...'
    assert "GSM" in form.errors["wea_long_es"][0]
    assert "95 characters" in form.errors["wea_short_es"][0]
    assert "wea_short_en" not in form.errors


@pytest.mark.django_db
def test_mallory_s_alert_texts_never_mention_another_agency(mallory, agency_b, alice, agency_a):
    alert = make_draft(mallory, agency_b)
    generated = texts.generate_texts(alert)
    assert all("Austin" not in value for value in generated.values())
    assert "Albany NY" in generated["wea_short_en"]
