"""The pull-request preview: the built site plus a one-command server, as CI uploads it.

    python -m scripts.devtools.preview_kit build/preview     # after make build

writes ``build/preview/site/`` (a copy of site/), ``serve_preview.py``, ``base_path.txt`` and ``说明.txt``. A
reviewer downloads the artifact, unzips it and runs ``python3 serve_preview.py``: the site then works as it
will when published (its base path, its 404 page, its scripts), which opening a file from disk does not.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ..pipeline.build import ROOT, site_url

README = Path(__file__).with_name("preview_readme.txt")  # {base}: the site's base path


def make_kit(site: Path, target: Path) -> Path:
    """Copy ``site`` into ``target/site`` with the server, the base path and the instructions beside it."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(site, target / "site")
    base = urlsplit(site_url()).path or "/"
    shutil.copy2(Path(__file__).with_name("serve_preview.py"), target / "serve_preview.py")
    (target / "base_path.txt").write_text(base + "\n", encoding="utf-8")
    (target / "说明.txt").write_text(README.read_text(encoding="utf-8").format(base=base), encoding="utf-8")
    return target


if __name__ == "__main__":
    out = make_kit(ROOT / "site", Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "preview")
    print(f"预览包已写入 {out}")
