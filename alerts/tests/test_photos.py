"""Photo intake: images only, size and pixel limits, metadata stripped, upright, web copy."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from alerts import photos, services
from alerts.models import Photo

from .conftest import make_draft

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(2400, 1600), orientation=6) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    img.paste((10, 10, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: shows the rotation
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90 CW to display
    exif[0x010F] = "SpyCam"  # Make
    gps = {1: "N", 2: (30.0, 16.0, 0.0), 3: "W", 4: (97.0, 44.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_photo_is_re_encoded_without_any_metadata_and_turned_upright():
    raw = jpeg_with_gps()
    assert b"SpyCam" in raw
    result = photos.photo_process(upload(raw))
    for blob in (result.image, result.web_image):
        img = Image.open(io.BytesIO(blob))
        assert img.format == "JPEG"
        assert not img.getexif() and "exif" not in img.info and "comment" not in img.info
        assert b"SpyCam" not in blob and b"secret comment" not in blob
    assert (result.width, result.height) == (1600, 2400)  # orientation 6 applied: now portrait
    assert max(result.web_width, result.web_height) == 1200
    assert result.size == len(result.web_image)
    assert result.sha256 == hashlib.sha256(result.web_image).hexdigest()


def test_a_png_with_transparency_becomes_a_jpeg():
    img = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    out = io.BytesIO()
    img.save(out, format="PNG")
    result = photos.photo_process(upload(out.getvalue(), "x.png", "image/png"))
    assert Image.open(io.BytesIO(result.image)).mode == "RGB"


def test_a_small_photo_is_not_enlarged():
    out = io.BytesIO()
    Image.new("RGB", (400, 300)).save(out, format="JPEG")
    result = photos.photo_process(upload(out.getvalue()))
    assert (result.web_width, result.web_height) == (400, 300)


@pytest.mark.parametrize(
    "data,message",
    [
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"<svg onload=alert(1)>", "SVG"),
        (b"%PDF-1.4 not an image", "not an image"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "not an image"),
        (b"", "empty"),
    ],
)
def test_anything_but_a_readable_image_is_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError) as exc:
        photos.photo_process(upload(data))
    assert message in exc.value.messages[0]


def test_an_oversized_file_is_refused(settings):
    big = upload(b"\xff\xd8" + b"0" * (photos.MAX_UPLOAD_BYTES + 10))
    with pytest.raises(ValidationError, match="at most 10 MB"):
        photos.photo_process(big)


def test_an_image_with_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 10_000)
    out = io.BytesIO()
    Image.new("RGB", (200, 200)).save(out, format="PNG")
    with pytest.raises(ValidationError, match="megapixels"):
        photos.photo_process(upload(out.getvalue(), "x.png"))


def test_the_service_stores_the_photo_and_records_it(alice, agency_a):
    alert = make_draft(alice, agency_a)
    suspect = alert.suspects.get()
    photo = services.alert_photo_add(
        actor=alice, alert=alert, upload=upload(jpeg_with_gps()), caption="Suspect “JD”", suspect=suspect
    )
    photo.refresh_from_db()
    assert photo.caption == 'Suspect "JD"' and photo.suspect == suspect
    assert photo.width == 1600 and photo.height == 2400
    with photo.web_image.open("rb") as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == photo.sha256 and len(data) == photo.size
    assert b"SpyCam" not in data
    from alerts.selectors import alert_history

    assert alert_history(alert).last().action == "alert.photo_added"
    services.alert_photo_remove(actor=alice, alert=alert, photo=photo)
    photo.refresh_from_db()
    assert photo.removed and photo.web_image.storage.exists(photo.web_image.name)
    assert alert_history(alert).last().action == "alert.photo_removed"


def test_a_bad_file_leaves_no_photo(alice, agency_a):
    alert = make_draft(alice, agency_a)
    with pytest.raises(ValidationError):
        services.alert_photo_add(actor=alice, alert=alert, upload=upload(b"<svg/>", "x.svg", "image/svg+xml"))
    assert not Photo.objects.exists()


def test_mallory_cannot_add_a_photo_to_alice_s_alert(alice, agency_a, mallory):
    alert = make_draft(alice, agency_a)
    with pytest.raises(PermissionDenied):
        services.alert_photo_add(actor=mallory, alert=alert, upload=upload(jpeg_with_gps()))
    assert not Photo.objects.exists()
