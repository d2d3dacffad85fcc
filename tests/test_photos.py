"""Station photos (issue 16): shown on the station page, resized, stripped of GPS and camera EXIF, limited in size."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import build_site, project_copy
from scripts.outputs import photos
from scripts.records.models import Image as ImageEntry
from scripts.records.models import Station

GPS_IFD = 0x8825


def gps_jpeg(path: Path, size: tuple[int, int] = (2000, 1500)) -> None:
    """A phone-like photo: camera make and model, a GPS position, and an orientation of 1 (upright)."""
    image = Image.new("RGB", size, (180, 120, 60))
    for x in range(0, size[0], 50):  # some detail, so the encoder has work to do
        image.paste((20, 40, 200), (x, 0, x + 10, size[1]))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Xiaomi", "Mi 14", 1
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (38.0, 24.0, 59.4), 3: "E", 4: (112.0, 44.0, 1.0)})
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif, quality=90)
    with Image.open(path) as check:
        assert check.getexif().get_ifd(GPS_IFD), "the test photo must carry a GPS position"


def add_images(data_dir: Path, station_id: str, entries: str) -> None:
    path = data_dir / "stations" / f"{station_id}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "images:\n" + entries, encoding="utf-8")


def station_html(site: Path, station_id: str) -> str:
    return (site / "stations" / station_id / "index.html").read_text(encoding="utf-8")


def test_photo_with_gps_is_refused_then_published_stripped(tmp_path: Path, data_copy: Path) -> None:
    root = project_copy(tmp_path)
    door = root / "docs" / "assets" / "images" / "door.jpg"
    gps_jpeg(door)
    Image.new("RGB", (300, 200), (10, 200, 10)).save(root / "docs" / "assets" / "images" / "small.png")
    add_images(data_copy, "nuanxin-01",
               "  - src: assets/images/door.jpg\n    alt: 驿站门口的饮水机\n    caption: 门口\n"
               "  - src: assets/images/small.png\n    alt: 小图\n")

    refused = build_site(data_copy, tmp_path / "work", tmp_path / "site", root=root)
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output
    assert "data/stations/nuanxin-01.yaml 的 images[0].src" in refused.output
    assert "GPS 位置" in refused.output and "strip docs/assets/images/door.jpg" in refused.output
    assert not (tmp_path / "site").exists()

    # The fix the message names: strip the source in place.
    strip = subprocess.run([sys.executable, "-m", "scripts.outputs.photos", "strip", str(door)],
                           cwd=root, capture_output=True, text=True, timeout=120)
    assert strip.returncode == 0, strip.stderr
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site", root=root)
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"

    page = station_html(site, "nuanxin-01")
    images = re.findall(r'<img [^>]*alt="驿站门口的饮水机"[^>]*>', page)
    assert len(images) == 1, page
    img = images[0]
    assert 'loading="lazy"' in img and 'decoding="async"' in img and 'sizes="' in img
    srcset = html.unescape(re.search(r'srcset="([^"]+)"', img).group(1))
    assert srcset == ("../../assets/photos/nuanxin-01/door-480.jpg 480w, ../../assets/photos/nuanxin-01/door-960.jpg "
                      "960w, ../../assets/photos/nuanxin-01/door-1440.jpg 1440w")
    assert 'src="../../assets/photos/nuanxin-01/door-960.jpg"' in img
    assert 'width="960"' in img and 'height="720"' in img
    assert "<figcaption>门口</figcaption>" in page
    small = re.search(r'<img [^>]*alt="小图"[^>]*>', page).group(0)
    assert 'srcset="../../assets/photos/nuanxin-01/small-300.jpg 300w"' in small  # never upscaled

    published = sorted((site / "assets" / "photos" / "nuanxin-01").iterdir())
    assert [p.name for p in published] == ["door-1440.jpg", "door-480.jpg", "door-960.jpg", "small-300.jpg"]
    expected = {"door-480.jpg": (480, 360), "door-960.jpg": (960, 720), "door-1440.jpg": (1440, 1080),
                "small-300.jpg": (300, 200)}
    for path in [*published, site / "assets" / "images" / "door.jpg"]:
        with Image.open(path) as image:
            assert not image.getexif(), path
            assert "exif" not in image.info and "xmp" not in image.info, path
            if path.name in expected:
                assert image.size == expected[path.name]

    # 地址 alone without a phone; 地址和电话 with one; the anchor stays #address.
    assert re.search(r'<h2 id="address">地址和电话', page)
    no_phone = station_html(site, "xiaoge-01")
    assert re.search(r'<h2 id="address">地址<', no_phone)
    assert "地址和电话" not in no_phone


def test_oversized_photo_is_a_chinese_error(tmp_path: Path, data_copy: Path) -> None:
    root = project_copy(tmp_path)
    huge = root / "docs" / "assets" / "images" / "huge.png"
    huge.parent.mkdir(parents=True, exist_ok=True)
    Image.new("1", (9000, 9000)).save(huge)  # 81 megapixels, a few kilobytes
    add_images(data_copy, "xiaoge-02", "  - src: assets/images/huge.png\n    alt: 太大的图\n")
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site", root=root)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "data/stations/xiaoge-02.yaml 的 images[0].src" in result.output
    assert "9000×9000 像素，超过上限" in result.output


def _station(images: list[ImageEntry]) -> Station:
    return Station.model_construct(id="s1", images=images)


def test_size_and_bomb_limits_are_photo_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gps_jpeg(tmp_path / "a.jpg", (600, 400))
    entry = ImageEntry(src="a.jpg", alt="图")
    monkeypatch.setattr(photos, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(photos.PhotoError, match="MB，超过上限"):
        photos.check_station_photos(_station([entry]), tmp_path)
    monkeypatch.setattr(photos, "MAX_IMAGE_BYTES", 10**9)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow's own bomb check fires first
    with pytest.raises(photos.PhotoError, match="像素过多"):
        photos.check_station_photos(_station([entry]), tmp_path)
    (tmp_path / "b.jpg").write_bytes(b"not an image")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10**8)
    with pytest.raises(photos.PhotoError, match="无法读取"):
        photos.check_station_photos(_station([ImageEntry(src="b.jpg", alt="图")]), tmp_path)


def test_variants_are_deterministic_and_never_upscaled(tmp_path: Path) -> None:
    assert photos.variant_widths(2000) == [480, 960, 1440]
    assert photos.variant_widths(1440) == [480, 960, 1440]
    assert photos.variant_widths(700) == [480, 700]
    assert photos.variant_widths(300) == [300]
    source = tmp_path / "docs" / "p.jpg"
    gps_jpeg(source, (1000, 750))
    photos.strip_file(source)
    [photo] = photos.check_station_photos(_station([ImageEntry(src="p.jpg", alt="图")]), tmp_path / "docs")
    (tmp_path / "c1").mkdir()
    (tmp_path / "c2").mkdir()
    first = photos.variant_files(photo, tmp_path / "docs", tmp_path / "c1")
    second = photos.variant_files(photo, tmp_path / "docs", tmp_path / "c2")
    assert first == second
    assert [path for path, _ in first] == ["assets/photos/s1/p-480.jpg", "assets/photos/s1/p-960.jpg",
                                           "assets/photos/s1/p-1000.jpg"]
