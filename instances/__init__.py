

def default_instance():
    """The bundled default instance, nanan-2027-full.yaml (a ``pathlib.Path``)."""
    from importlib import resources
    from pathlib import Path

    return Path(str(resources.files("xinglian.instances") / "nanan-2027-full.yaml"))
