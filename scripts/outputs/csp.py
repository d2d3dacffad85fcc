"""The site's Content-Security-Policy: one policy for every page, derived from the map settings.

Every built HTML page (MkDocs pages, the map documents, the A4 posters) carries it in
``<meta http-equiv="Content-Security-Policy">`` before its first script, so it works on any static
host. A server that can send headers should send ``header_policy`` too: a header can also say who may
frame the site (``frame-ancestors``), which browsers ignore (and Chromium reports) in a ``<meta>``.

No page runs an inline script or an event-handler attribute: the scripts are all files from the site
itself, so even markup that slipped into a record could not run.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..records.models import MapSettings
from . import maps


def tile_origins(settings: MapSettings | None) -> list[str]:
    """The origins the configured tiles load from, one per subdomain (``{s}`` in the URL template).

    None when the map settings are not known (the live preview started on broken data): no tile origin.
    Only the map documents load tiles, so the other pages work the same either way.
    """
    origins: list[str] = []
    if settings is None:
        return origins
    for layer in maps.provider_for(settings).layers:
        parts = urlsplit(layer.url)
        hosts = [parts.netloc.replace("{s}", s) for s in layer.subdomains] if "{s}" in parts.netloc else [parts.netloc]
        for host in hosts:
            origin = f"{parts.scheme}://{host}"
            if origin not in origins:
                origins.append(origin)
    return origins


def _directives(settings: MapSettings | None) -> list[str]:
    return [
        "default-src 'self'",
        # 'wasm-unsafe-eval' lets Pagefind (the site search) compile its WebAssembly (without it the search
        # fails); it does not allow eval().
        "script-src 'self' 'wasm-unsafe-eval'",
        # Inline styles are allowed: folium's map documents have <style> blocks, and Markdown writes aligned
        # table columns as style attributes (checked in Chromium: both are refused without it). A style
        # cannot run code; scripts stay locked down.
        "style-src 'self' 'unsafe-inline'",
        # data: for the icons the theme's stylesheet inlines as SVG; then the map tiles' hosts.
        " ".join(["img-src 'self' data:", *tile_origins(settings)]),
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",  # the map documents are iframes of the site's own pages
        # The offline support (outputs/offline.py): the service worker and the web app manifest, both the site's
        # own files. default-src would allow them too; said here so that tightening it cannot break them.
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]


def policy(settings: MapSettings | None) -> str:
    """The policy for ``<meta http-equiv="Content-Security-Policy">`` (no ``frame-ancestors``: not allowed there)."""
    return "; ".join(_directives(settings))


def header_policy(settings: MapSettings | None) -> str:
    """The same policy as a ``Content-Security-Policy`` HTTP header, which may also refuse framing by other sites."""
    return "; ".join([*_directives(settings), "frame-ancestors 'self'"])


# python -m scripts.outputs.csp: the header for the data in data/, for a server's configuration
if __name__ == "__main__":
    from ..pipeline.build import Project, load_catalogue

    print(header_policy(load_catalogue(Project()).settings.map))
