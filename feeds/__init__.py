"""Calendars that stay current on phones: secret subscription feeds, QR cards, static
publishing and CalDAV pushing of a plan directory's calendars (docs/feeds.md)."""

from .render import Feed, FeedCache, render_feed
from .store import FeedToken, TokenStore

__all__ = ["Feed", "FeedCache", "FeedToken", "TokenStore", "render_feed"]
