"""The federation office's workspace in the browser (``xinglian serve``).

:func:`create_app` builds the FastAPI application over a workspace directory;
:class:`~xinglian.web.workspace.Workspace` is the workspace itself (SQLite + plan
directories), usable without the web server.
"""

from __future__ import annotations

from .workspace import Workspace

__all__ = ["Workspace", "create_app"]


def create_app(*args, **kwargs):
    """See :func:`xinglian.web.app.create_app` (imported lazily: FastAPI is only needed
    when serving)."""
    from .app import create_app as make

    return make(*args, **kwargs)
