"""Render stage: station photos, resized at build time with Pillow and stripped of what the camera recorded.

A station's ``images`` (files under ``docs/``) are shown on its page as ``<img srcset>`` of JPEG variants
written to ``assets/photos/<station id>/<stem>-<width>.jpg``:

* at ``WIDTHS`` (480, 960, 1440 px) and never wider than the source: a 700 px photo gives 480 and 700;
* orientation applied first (``ImageOps.exif_transpose``), then every EXIF tag, XMP and comment dropped:
  no GPS position, no camera make, model or serial number. Only the colour profile is kept (it names a
  colour space, not a device), so a phone's Display P3 photo keeps its colours;
* always JPEG, quality 80, progressive: these are photographs, for which JPEG is small and read by every
  phone browser; a PNG or WebP source is converted too (transparency flattened onto white), so every
  variant has one predictable name and format;
* the same source gives the same bytes (Pillow's encoder writes no timestamps), and a variant made once is
  kept in ``work/cache/photos`` under its source's digest and width, as the QR codes are.

**The original file.** ``docs/`` is copied into the site as it is (``TreeWriter.copy_tree``), and the
writer refuses a second write to a path (``DuplicateOutputError``): a generated file cannot replace the
copied original, and going around that rule would break what the live preview knows about written files.
So the original is made safe at its source instead: a station image whose file carries a GPS position or
a camera's identity (make, model, serial number, owner) fails the build with a Chinese message naming the
station file and the field, and the fix is one command that strips the file in place::

    python -m scripts.outputs.photos strip docs/assets/images/照片.jpg

That also keeps the position out of the repository, which is public, not only out of the site. Pages link
only the stripped variants; the original stays reachable at its old address (Markdown may link it).

**Limits** (``limits.py``): a source over ``MAX_IMAGE_BYTES`` or ``MAX_IMAGE_PIXELS`` is refused before it
is decoded, so a decompression bomb never reaches Pillow's decoder (its ``DecompressionBombError`` and any
unreadable file are reported the same way, never as a traceback).

**Caching in the live preview.** A station page is kept while its record is unchanged; replacing a photo
under the same name with one of another shape shows the old width and height until the record is saved.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import PIL
from PIL import Image as PILImage
from PIL import ImageOps

from ..pipeline.limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from ..records.models import Station

WIDTHS = (480, 960, 1440)
QUALITY = 80
FORMATS = ("JPEG", "PNG", "WEBP")
# Shown at most this wide in the page's text column (mkdocs-material's content is about 45rem wide).
SIZES = "(max-width: 45rem) 100vw, 45rem"
_VERSION = f"1|{PIL.__version__}|{QUALITY}"  # part of the cache key: a new encoder may write other bytes
_GPS_IFD = 0x8825
# EXIF tags that name the camera or its owner: Make, Model, CameraOwnerName, BodySerialNumber,
# LensMake, LensModel, LensSerialNumber (the last five live in the Exif sub-IFD).
_CAMERA_TAGS = {0x010F: "Make", 0x0110: "Model"}
_CAMERA_SUB_TAGS = {0xA430: "CameraOwnerName", 0xA431: "BodySerialNumber", 0xA433: "LensMake",
                    0xA434: "LensModel", 0xA435: "LensSerialNumber"}
_EXIF_IFD = 0x8769
_ORIENTATION = 0x0112
_SWAPS_SIDES = {5, 6, 7, 8}  # orientations that turn the picture a quarter


class PhotoError(Exception):
    """A station image that cannot be published; the message is in Chinese and names the file and field."""


@dataclass(frozen=True)
class Variant:
    path: str  # under docs, e.g. assets/photos/xinfu-1/door-480.jpg
    width: int
    height: int


@dataclass(frozen=True)
class Photo:
    source: str  # the image's src, relative to docs/
    alt: str
    caption: str | None
    variants: tuple[Variant, ...]

    sizes: str = SIZES

    @property
    def fallback(self) -> Variant:
        """The ``src`` for browsers without ``srcset``: the widest variant up to 960 px."""
        return [v for v in self.variants if v.width <= 960][-1] if self.variants[0].width <= 960 else self.variants[0]


def variant_widths(width: int) -> list[int]:
    """The widths made of a source ``width`` px wide: those of ``WIDTHS`` below it, then the source's own
    width capped at the largest; never wider than the source."""
    return sorted({*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1])})


def _stem(src: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "-", PurePosixPath(src).stem).strip("-").lower() or "photo"


def _where(station: Station, index: int) -> str:
    return f"data/stations/{station.id}.yaml 的 images[{index}].src（{station.images[index].src}）"


def private_metadata(image: PILImage.Image) -> list[str]:
    """What in the image's EXIF or XMP tells where it was taken or with which camera (empty if nothing)."""
    exif = image.getexif()
    found = []
    if exif.get_ifd(_GPS_IFD) or _GPS_IFD in exif:
        found.append("GPS 位置")
    sub = exif.get_ifd(_EXIF_IFD)
    found += [name for tag, name in _CAMERA_TAGS.items() if exif.get(tag)]
    found += [name for tag, name in _CAMERA_SUB_TAGS.items() if sub.get(tag)]
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    if b"GPSLatitude" in xmp or b"GPSLongitude" in xmp:
        found.append("XMP GPS 位置")
    return found


def _open(path: Path, where: str) -> PILImage.Image:
    """The image with its header read, but not decoded; every refusal as a ``PhotoError``."""
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise PhotoError(f"{where}：图片文件 {size / 1024 / 1024:.1f} MB，超过上限 {MAX_IMAGE_BYTES // 1024 // 1024} MB"
                         "（image file too large）。请把照片缩小到长边 3000 像素以内再放进 docs/。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(path)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise PhotoError(f"{where}：图片像素过多，超过上限 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素"
                         "（image has too many pixels）。请把照片缩小到长边 3000 像素以内。") from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoError(f"{where}：无法读取这张图片（unreadable image）。"
                         "请换用 JPEG、PNG 或 WebP 格式的照片。") from None
    if image.format not in FORMATS:
        image.close()
        raise PhotoError(f"{where}：驿站照片只支持 JPEG、PNG 或 WebP，这张是 {image.format}（unsupported format）。")
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        image.close()
        raise PhotoError(f"{where}：图片 {width}×{height} 像素，超过上限 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素"
                         "（image has too many pixels）。请把照片缩小到长边 3000 像素以内。")
    return image


def _shown_size(image: PILImage.Image) -> tuple[int, int]:
    """Width and height as shown, after the EXIF orientation is applied."""
    width, height = image.size
    return (height, width) if image.getexif().get(_ORIENTATION) in _SWAPS_SIDES else (width, height)


def check_station_photos(station: Station, docs_dir: Path) -> list[Photo]:
    """The station's photos as its page shows them; reads only the files' headers.

    Raises ``PhotoError`` for an image that is too large, unreadable, or whose file carries a GPS
    position or the camera's identity (see the module docstring for why the source must be clean).
    """
    photos, stems = [], set()
    for index, entry in enumerate(station.images):
        where = _where(station, index)
        with _open(docs_dir / entry.src, where) as image:
            private = private_metadata(image)
            if private:
                raise PhotoError(
                    f"{where}：照片里记录了{'、'.join(private)}（photo carries GPS or camera metadata），"
                    "原图会照原样发布，别人能从中看出拍摄地点和手机型号。请先去掉这些信息：运行 "
                    f"python -m scripts.outputs.photos strip docs/{entry.src}")
            width, height = _shown_size(image)
        stem = _stem(entry.src)
        if stem in stems:
            stem = f"{stem}-{index + 1}"
        stems.add(stem)
        variants = tuple(
            Variant(f"assets/photos/{station.id}/{stem}-{w}.jpg", w, max(1, round(height * w / width)))
            for w in variant_widths(width)
        )
        photos.append(Photo(entry.src, entry.alt, entry.caption, variants))
    return photos


def _clean(image: PILImage.Image) -> PILImage.Image:
    """Orientation applied; a new RGB image that carries no metadata at all."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = PILImage.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image: PILImage.Image, icc_profile: bytes | None) -> bytes:
    out = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True, **options)
    return out.getvalue()


def variant_files(photo: Photo, docs_dir: Path, cache_dir: Path) -> list[tuple[str, bytes]]:
    """The photo's variants as (path under docs, JPEG bytes); unchanged ones come from the cache."""
    source = (docs_dir / photo.source).read_bytes()
    key = hashlib.sha256(_VERSION.encode() + b"|" + source).hexdigest()[:32]
    cached = {v: cache_dir / f"{key}-{v.width}.jpg" for v in photo.variants}
    if all(path.is_file() for path in cached.values()):
        return [(v.path, path.read_bytes()) for v, path in cached.items()]
    with PILImage.open(io.BytesIO(source)) as image:
        icc = image.info.get("icc_profile")
        clean = _clean(image)
    files = []
    for variant, path in cached.items():
        resized = clean.resize((variant.width, variant.height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
        data = _jpeg(resized, icc)
        path.write_bytes(data)
        files.append((variant.path, data))
    return files


def strip_file(path: Path) -> None:
    """Rewrite an image in place without EXIF, XMP or comments, its orientation applied, in its own format
    (JPEG at quality 92, so a photo is not visibly worse after stripping)."""
    with PILImage.open(path) as image:
        fmt, icc = image.format, image.info.get("icc_profile")
        image.load()
        upright = ImageOps.exif_transpose(image)
    clean = PILImage.frombytes(upright.mode, upright.size, upright.tobytes())  # pixels only, no info carried
    if upright.mode == "P":
        clean.putpalette(upright.getpalette() or [])
        if "transparency" in upright.info:
            clean.info["transparency"] = upright.info["transparency"]
    out = io.BytesIO()
    options: dict = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        options.update(quality=92, optimize=True)
    clean.save(out, fmt, **options)
    path.write_bytes(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.outputs.photos",
                                     description="去掉照片里的 GPS 位置和相机信息（EXIF），原地改写文件。")
    parser.add_argument("command", choices=["strip"])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.files:
        try:
            strip_file(path)
        except (OSError, SyntaxError, ValueError) as error:
            print(f"{path}：无法处理这张图片（{error}）", file=sys.stderr)
            return 1
        print(f"已去掉 {path} 的拍摄信息（EXIF）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
