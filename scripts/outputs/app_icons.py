"""Offline stage: the PNG icons a phone shows for the site on its home screen, drawn from the site's favicon.

The favicon (``theme.favicon`` in ``mkdocs.yml``, ``docs/assets/images/favicon.svg``) is the one drawing of the
site's mark; the icons are made from it at build time, so there is no second copy of the logo to keep in step.
Pillow cannot read SVG, and no font or SVG library is needed here: the favicon is a few filled shapes, and this
module reads the small part of SVG they use (``circle``, ``ellipse``, ``rect``, ``path`` with every path
command including arcs, ``g``, ``fill``, ``transform``), flattens the curves into polygons and fills them at
four times the size, then scales down (anti-aliasing). Holes follow the even-odd rule, which for the
favicon's separate shapes is the same as SVG's default.

* ``any`` icons (192 and 512 px): the favicon as it is, transparent around its circle;
* ``maskable`` icons (192 and 512 px): the square filled with the favicon's background colour (its first
  shape's fill), the drawing kept inside the central circle of 80 % that Android's masks never cut;
* ``apple-touch-icon`` (180 px): the maskable drawing, opaque (iOS fills transparency with black and rounds
  the corners itself).

A favicon this module cannot read (another SVG element, a PNG) still gives icons: a PNG or JPEG is scaled,
an SVG it does not understand gives a plain disc of the theme colour, and a warning says so. The result is
cached under the favicon's digest (``work/cache/app-icons``), so a build draws them once.
"""

from __future__ import annotations

import io
import logging
import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageChops, ImageColor, ImageDraw

from ..pipeline.reuse import digest

log = logging.getLogger(__name__)

FOLDER = "assets/images/app"
SUPERSAMPLE = 4
SAFE_RADIUS = 0.4  # of the icon's size: what every maskable icon shape keeps (the W3C manifest spec)
_VERSION = f"1|{PIL.__version__}"  # part of the cache key: another Pillow may write other bytes


@dataclass(frozen=True)
class Icon:
    path: str  # under the site
    size: int
    purpose: str  # "any", "maskable", or "apple-touch-icon" (not listed in the manifest)


ICONS = (
    Icon(f"{FOLDER}/icon-192.png", 192, "any"),
    Icon(f"{FOLDER}/icon-512.png", 512, "any"),
    Icon(f"{FOLDER}/icon-maskable-192.png", 192, "maskable"),
    Icon(f"{FOLDER}/icon-maskable-512.png", 512, "maskable"),
    Icon(f"{FOLDER}/apple-touch-icon.png", 180, "apple-touch-icon"),
)
APPLE_TOUCH_ICON = next(icon.path for icon in ICONS if icon.purpose == "apple-touch-icon")


class UnsupportedSvg(ValueError):
    pass


# --- reading the favicon -------------------------------------------------------------------------------

Point = tuple[float, float]
Matrix = tuple[float, float, float, float, float, float]  # SVG's a b c d e f
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


@dataclass(frozen=True)
class Shape:
    fill: tuple[int, int, int, int]
    polygons: list[list[Point]]  # in the favicon's viewBox units, transforms applied


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _apply(m: Matrix, point: Point) -> Point:
    a, b, c, d, e, f = m
    x, y = point
    return a * x + c * y + e, b * x + d * y + f


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate)\s*\(([^)]*)\)")


def _numbers(text: str) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text)]


def _transform(text: str | None) -> Matrix:
    matrix = IDENTITY
    if not text:
        return matrix
    for name, arguments in _TRANSFORM.findall(text):
        values = _numbers(arguments)
        if name == "matrix" and len(values) == 6:
            step: Matrix = tuple(values)  # type: ignore[assignment]
        elif name == "translate" and values:
            step = (1, 0, 0, 1, values[0], values[1] if len(values) > 1 else 0)
        elif name == "scale" and values:
            step = (values[0], 0, 0, values[1] if len(values) > 1 else values[0], 0, 0)
        elif name == "rotate" and len(values) == 1:
            r = math.radians(values[0])
            step = (math.cos(r), math.sin(r), -math.sin(r), math.cos(r), 0, 0)
        else:
            raise UnsupportedSvg(f"transform {name}({arguments})")
        matrix = _multiply(matrix, step)
    return matrix


def _ellipse(cx: float, cy: float, rx: float, ry: float, steps: int = 96) -> list[Point]:
    return [(cx + rx * math.cos(2 * math.pi * i / steps), cy + ry * math.sin(2 * math.pi * i / steps))
            for i in range(steps)]


def _path_tokens(data: str) -> Iterator[str]:
    position = 0
    while position < len(data):
        char = data[position]
        if char.isspace() or char == ",":
            position += 1
        elif char.isalpha() and char not in "eE":
            yield char
            position += 1
        else:
            number = _NUMBER.match(data, position)
            if not number:
                raise UnsupportedSvg(f"path data near {data[position:position + 10]!r}")
            yield number.group(0)
            position = number.end()


def _arc(start: Point, rx: float, ry: float, rotation: float, large: bool, sweep: bool, end: Point) -> list[Point]:
    """Points along an SVG elliptical arc (the endpoint-to-centre conversion of SVG 1.1, appendix F.6)."""
    if start == end:
        return []
    if rx == 0 or ry == 0:
        return [end]
    rx, ry = abs(rx), abs(ry)
    phi = math.radians(rotation)
    cos_phi, sin_phi = math.cos(phi), math.sin(phi)
    dx, dy = (start[0] - end[0]) / 2, (start[1] - end[1]) / 2
    x1, y1 = cos_phi * dx + sin_phi * dy, -sin_phi * dx + cos_phi * dy
    scale = x1 * x1 / (rx * rx) + y1 * y1 / (ry * ry)
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
    factor = math.sqrt(max(0.0, numerator / (rx * rx * y1 * y1 + ry * ry * x1 * x1)))
    if large == sweep:
        factor = -factor
    cx1, cy1 = factor * rx * y1 / ry, -factor * ry * x1 / rx
    cx = cos_phi * cx1 - sin_phi * cy1 + (start[0] + end[0]) / 2
    cy = sin_phi * cx1 + cos_phi * cy1 + (start[1] + end[1]) / 2
    theta = math.atan2((y1 - cy1) / ry, (x1 - cx1) / rx)
    delta = math.atan2((-y1 - cy1) / ry, (-x1 - cx1) / rx) - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    steps = max(4, int(abs(delta) / (2 * math.pi) * 96))
    points = []
    for i in range(1, steps + 1):
        angle = theta + delta * i / steps
        x, y = rx * math.cos(angle), ry * math.sin(angle)
        points.append((cos_phi * x - sin_phi * y + cx, sin_phi * x + cos_phi * y + cy))
    return points


def _bezier(points: list[Point], steps: int = 24) -> list[Point]:
    """Points along a quadratic or cubic Bézier curve (``points`` starts at the current point)."""
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        level = points
        while len(level) > 1:
            pairs = zip(level, level[1:], strict=False)
            level = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]) for a, b in pairs]
        out.append(level[0])
    return out


_PARAMETERS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


def path_polygons(data: str) -> list[list[Point]]:
    """The subpaths of SVG path data as polygons (curves and arcs flattened), every path command supported."""
    tokens = list(_path_tokens(data))
    polygons: list[list[Point]] = []
    current: list[Point] = []
    x = y = start_x = start_y = 0.0
    control: Point | None = None  # the last curve's second control point, for S and T
    command = previous = ""
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
        elif not command:
            raise UnsupportedSvg("path data starts with a number")
        upper, relative = command.upper(), command.islower()
        if upper not in _PARAMETERS:
            raise UnsupportedSvg(f"path command {command}")
        if upper == "Z":
            if current:
                polygons.append(current)
            current = []
            x, y = start_x, start_y
            control, previous = None, "Z"
            continue
        count = _PARAMETERS[upper]
        values = [float(v) for v in tokens[i:i + count]]
        if len(values) < count or any(t.isalpha() for t in tokens[i:i + count]):
            raise UnsupportedSvg(f"path command {command} with too few numbers")
        i += count
        ox, oy = (x, y) if relative else (0.0, 0.0)
        new_control = None
        if upper == "M":
            if len(current) > 1:
                polygons.append(current)
            x, y = ox + values[0], oy + values[1]
            start_x, start_y = x, y
            current = [(x, y)]
            command = "l" if relative else "L"  # further pairs are lines
        elif upper in "LHV":
            if upper == "L":
                x, y = ox + values[0], oy + values[1]
            elif upper == "H":
                x = (x if relative else 0.0) + values[0]
            else:
                y = (y if relative else 0.0) + values[0]
            current.append((x, y))
        elif upper in "CSQT":
            if upper == "C":
                points = [(ox + values[0], oy + values[1]), (ox + values[2], oy + values[3])]
                end = (ox + values[4], oy + values[5])
            elif upper == "S":
                reflected = (2 * x - control[0], 2 * y - control[1]) if control and previous in "CS" else (x, y)
                points, end = [reflected, (ox + values[0], oy + values[1])], (ox + values[2], oy + values[3])
            elif upper == "Q":
                points, end = [(ox + values[0], oy + values[1])], (ox + values[2], oy + values[3])
            else:
                points = [(2 * x - control[0], 2 * y - control[1]) if control and previous in "QT" else (x, y)]
                end = (ox + values[0], oy + values[1])
            current.extend(_bezier([(x, y), *points, end]))
            new_control = points[-1]
            x, y = end
        else:  # A
            end = (ox + values[5], oy + values[6])
            current.extend(_arc((x, y), values[0], values[1], values[2], bool(values[3]), bool(values[4]), end))
            x, y = end
        control = new_control
        previous = upper
    if len(current) > 1:
        polygons.append(current)
    return polygons


def _colour(value: str | None, inherited: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    if value is None:
        return inherited
    if value.strip() == "none":
        return None
    try:
        colour = ImageColor.getrgb(value.strip())
    except ValueError:
        raise UnsupportedSvg(f"fill {value}") from None
    return (*colour[:3], colour[3] if len(colour) == 4 else 255)


def read_svg(svg: bytes) -> tuple[tuple[float, float, float, float], list[Shape]]:
    """The viewBox and the filled shapes of an SVG, in drawing order."""
    root = ElementTree.fromstring(svg)
    box = _numbers(root.get("viewBox") or "")
    if len(box) != 4:
        box = [0, 0, float(root.get("width", "24").rstrip("px")), float(root.get("height", "24").rstrip("px"))]
    shapes: list[Shape] = []

    def walk(element: ElementTree.Element, matrix: Matrix, fill: tuple[int, int, int, int]) -> None:
        tag = element.tag.rsplit("}", 1)[-1]
        matrix = _multiply(matrix, _transform(element.get("transform")))
        colour = _colour(element.get("fill"), fill)
        if tag in ("svg", "g"):
            for child in element:
                walk(child, matrix, colour or (0, 0, 0, 0))
            return
        if tag in ("title", "desc", "metadata"):
            return
        number = lambda name: float(element.get(name, "0"))  # noqa: E731
        if tag == "circle":
            polygons = [_ellipse(number("cx"), number("cy"), number("r"), number("r"))]
        elif tag == "ellipse":
            polygons = [_ellipse(number("cx"), number("cy"), number("rx"), number("ry"))]
        elif tag == "rect" and not element.get("rx") and not element.get("ry"):
            x, y, w, h = number("x"), number("y"), number("width"), number("height")
            polygons = [[(x, y), (x + w, y), (x + w, y + h), (x, y + h)]]
        elif tag == "path":
            polygons = path_polygons(element.get("d", ""))
        else:
            raise UnsupportedSvg(f"<{tag}>")
        if colour is not None and colour[3]:
            shapes.append(Shape(colour, [[_apply(matrix, p) for p in polygon] for polygon in polygons]))

    walk(root, IDENTITY, (0, 0, 0, 255))
    return (box[0], box[1], box[2], box[3]), shapes


# --- drawing ----------------------------------------------------------------------------------------------

def _draw(shapes: list[Shape], box: tuple[float, float, float, float], size: int, scale: float,
          background: tuple[int, int, int, int] | None) -> Image.Image:
    """The shapes at ``size`` px, the drawing scaled by ``scale`` about the viewBox's centre."""
    big = size * SUPERSAMPLE
    min_x, min_y, width, height = box
    unit = big / max(width, height) * scale
    centre_x, centre_y = min_x + width / 2, min_y + height / 2

    def to_pixels(point: Point) -> Point:
        return big / 2 + (point[0] - centre_x) * unit, big / 2 + (point[1] - centre_y) * unit

    canvas = Image.new("RGBA", (size, size), background or (0, 0, 0, 0))
    for shape in shapes:
        mask = Image.new("1", (big, big), 0)
        for polygon in shape.polygons:  # even-odd: each subpath flips what it covers
            layer = Image.new("1", (big, big), 0)
            ImageDraw.Draw(layer).polygon([to_pixels(p) for p in polygon], fill=1)
            mask = ImageChops.logical_xor(mask, layer)
        coverage = mask.convert("L").resize((size, size), Image.Resampling.BOX)
        paint = Image.new("RGBA", (size, size), shape.fill[:3] + (0,))
        paint.putalpha(ImageChops.multiply(coverage, Image.new("L", (size, size), shape.fill[3])))
        canvas = Image.alpha_composite(canvas, paint)
    return canvas


def _png(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _from_svg(svg: bytes, theme_colour: str) -> dict[str, bytes]:
    box, shapes = read_svg(svg)
    if not shapes:
        raise UnsupportedSvg("nothing filled")
    background = shapes[0].fill[:3] + (255,)
    # Maskable: the background fills the square, and what is drawn on it must fit the safe circle.
    centre = (box[0] + box[2] / 2, box[1] + box[3] / 2)
    reach = max((math.dist(centre, p) for shape in shapes[1:] for polygon in shape.polygons for p in polygon),
                default=0.0)
    safe = SAFE_RADIUS * max(box[2], box[3]) * 0.95
    scale = min(1.0, safe / reach) if reach else 1.0
    return {icon.path: _png(_draw(shapes, box, icon.size, 1.0, None) if icon.purpose == "any"
                            else _draw(shapes[1:], box, icon.size, scale, background))
            for icon in ICONS}


def _from_bitmap(data: bytes, theme_colour: str) -> dict[str, bytes]:
    source = Image.open(io.BytesIO(data)).convert("RGBA")
    files = {}
    for icon in ICONS:
        if icon.purpose == "any":
            files[icon.path] = _png(source.resize((icon.size, icon.size), Image.Resampling.LANCZOS))
        else:
            inner = round(icon.size * SAFE_RADIUS * 2 * 0.9)
            canvas = Image.new("RGBA", (icon.size, icon.size), ImageColor.getrgb(theme_colour))
            picture = source.resize((inner, inner), Image.Resampling.LANCZOS)
            offset = (icon.size - inner) // 2
            canvas.alpha_composite(picture, (offset, offset))
            files[icon.path] = _png(canvas)
    return files


def _plain(theme_colour: str) -> dict[str, bytes]:
    disc = Shape(ImageColor.getrgb(theme_colour)[:3] + (255,), [_ellipse(12, 12, 12, 12)])
    return {icon.path: _png(_draw([disc], (0, 0, 24, 24), icon.size, 1.0, None if icon.purpose == "any" else
                                  disc.fill)) for icon in ICONS}


def icon_files(favicon: Path, theme_colour: str, cache_dir: Path) -> dict[str, bytes]:
    """Every icon (path under the site → PNG bytes) drawn from ``favicon``, taken from the cache when it is there."""
    data = favicon.read_bytes()
    key = digest(_VERSION, favicon.suffix, theme_colour, data, Path(__file__).read_bytes())
    cached = {icon.path: cache_dir / key / Path(icon.path).name for icon in ICONS}
    if all(path.is_file() for path in cached.values()):
        return {name: path.read_bytes() for name, path in cached.items()}
    if favicon.suffix.lower() == ".svg":
        try:
            files = _from_svg(data, theme_colour)
        except (UnsupportedSvg, ElementTree.ParseError) as error:
            log.warning("网站图标 %s 里有本程序画不了的内容（%s）：主屏幕图标画成主题色的圆。", favicon.name, error)
            files = _plain(theme_colour)
    else:
        files = _from_bitmap(data, theme_colour)
    (cache_dir / key).mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        cached[name].write_bytes(content)
    return files
