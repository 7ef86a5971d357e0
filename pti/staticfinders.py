"""Serve third-party assets from pinned Python packages (never a CDN, never copied into the repository).

Bootstrap comes from the XStatic-Bootstrap package; htmx is shipped by django-htmx under its own app static
folder. The XStatic package is located on disk rather than imported, because its namespace package
still relies on the removed `pkg_resources`.
"""

import sysconfig
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder, FileSystemFinder
from django.core.files.storage import FileSystemStorage


def xstatic_data_dir(name):
    for key in ("purelib", "platlib"):
        candidate = Path(sysconfig.get_paths()[key]) / "xstatic" / "pkg" / name / "data"
        if candidate.is_dir():
            return candidate
    return None


VENDORED = {"vendor/bootstrap": "bootstrap"}


class XStaticFinder(FileSystemFinder):
    """A FileSystemFinder whose locations are the XStatic packages' data folders, under a `vendor/` prefix."""

    def __init__(self, app_names=None, *args, **kwargs):
        self.locations = []
        self.storages = {}
        for prefix, name in VENDORED.items():
            root = xstatic_data_dir(name)
            if root is None:
                continue
            self.locations.append((prefix, str(root)))
            storage = FileSystemStorage(location=str(root))
            storage.prefix = prefix
            self.storages[str(root)] = storage
        BaseFinder.__init__(self, *args, **kwargs)

    def check(self, **kwargs):
        return []
