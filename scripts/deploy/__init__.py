"""Serving the built site elsewhere than GitHub Pages: the nginx configuration (``nginx.py``)."""
