"""Photo intake: only real raster images, decoded and re-encoded so no metadata survives.

Nothing of the uploaded file is kept: the pixels are decoded, turned upright by their EXIF
orientation, and written anew as JPEG (no EXIF, no GPS, no comments, no ICC profile). The web copy
(at most 1200 px on its longer side) is what messages reference, with its size and sha256.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 16
WEB_MAX_SIDE = 1200
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}
FULL_QUALITY = 90
WEB_QUALITY = 82


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    width: int
    height: int
    web_image: bytes
    web_width: int
    web_height: int
    size: int
    sha256: str


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _refuse(
            f"The file is {size / 1048576:.1f} MB; photos may be at most {MAX_UPLOAD_BYTES // 1048576} MB.", "too_large"
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(f"The file is larger than {MAX_UPLOAD_BYTES // 1048576} MB.", "too_large")
    if not data:
        raise _refuse("The file is empty.", "empty")
    return data


def _encode(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif=, no icc_profile=, no comment: Pillow writes none of them unless asked.
    img.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def photo_process(upload) -> ProcessedPhoto:
    """Validate and re-encode an uploaded photo. Raises ValidationError with a message for a person."""
    data = _read(upload)
    head = data[:512].lstrip().lower()
    if head.startswith(b"<") or b"<svg" in head:
        raise _refuse("SVG and other vector or text files are not accepted; upload a JPEG or PNG photo.", "svg")
    img: Image.Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt = probe.format
            width, height = probe.size
            if fmt not in ALLOWED_FORMATS:
                raise _refuse(f"{fmt or 'This'} files are not accepted; upload a JPEG, PNG or WebP photo.", "format")
            if width * height > MAX_PIXELS:
                raise _refuse(
                    f"The image is {width}×{height} pixels; at most {MAX_PIXELS // 1_000_000} megapixels.",
                    "too_many_pixels",
                )
            probe.verify()  # structural check; the image must be reopened after verify()
            img = Image.open(io.BytesIO(data))
            img.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            f"The image has too many pixels; at most {MAX_PIXELS // 1_000_000} megapixels.", "too_many_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(
            "This file is not an image we can read (or it is damaged). Upload a JPEG, PNG or WebP photo.", "not_image"
        ) from None
    if min(img.size) < MIN_SIDE:
        raise _refuse(f"The image is too small ({img.width}×{img.height} pixels).", "too_small")

    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        img = background
    elif img.mode != "RGB":
        img = img.convert("RGB")
    # A fresh image carries nothing of the original's info dict (exif, comments, xmp).
    clean = Image.new("RGB", img.size)
    clean.paste(img)
    full = _encode(clean, FULL_QUALITY)

    web = clean.copy()
    web.thumbnail((WEB_MAX_SIDE, WEB_MAX_SIDE), Image.Resampling.LANCZOS)
    web_bytes = _encode(web, WEB_QUALITY)
    return ProcessedPhoto(
        image=full,
        width=clean.width,
        height=clean.height,
        web_image=web_bytes,
        web_width=web.width,
        web_height=web.height,
        size=len(web_bytes),
        sha256=hashlib.sha256(web_bytes).hexdigest(),
    )
