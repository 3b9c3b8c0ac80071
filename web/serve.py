"""``xinglian serve``: uvicorn over :func:`~xinglian.web.app.create_app`."""

from __future__ import annotations

import sys
from pathlib import Path

LOCAL = ("127.0.0.1", "localhost", "::1")


def run(workspace: Path, *, host: str = "127.0.0.1", port: int = 8000,
        time_limit: float = 30.0) -> None:
    """Serve the workspace until stopped.

    Raises
    ------
    WorkspaceError
        When the workspace cannot be used (another server holds it, unwritable).
    """
    import uvicorn

    from .app import create_app
    from .workspace import Workspace, WorkspaceError

    try:  # refuse here, in one line, rather than in uvicorn's startup traceback
        Workspace(workspace).lock_for_server().close()
    except OSError as e:
        raise WorkspaceError(str(e)) from None
    app = create_app(workspace, time_limit=time_limit)
    if host not in LOCAL:
        who = "every machine on every network this computer is on" if host in ("0.0.0.0", "::") \
            else f"every machine that can reach {host}"
        print(f"WARNING: listening on {host}:{port}: {who} can open the login page. Use a "
              f"strong administrator password, and HTTPS in front of it beyond the office "
              f"network.\n警告：监听 {host}:{port}，能访问该地址的所有电脑都能打开登录页。",
              file=sys.stderr, flush=True)
    print(f"xinglian workspace {Path(workspace).resolve()}: http://"
          f"{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/", file=sys.stderr,
          flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
