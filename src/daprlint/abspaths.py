"""os.path.abspath for the many files of few folders a run walks.

abspath normalises the whole path on every call. A tree's files share
their folders, so `Absolute` makes each folder absolute once and appends
the name: for a plain last part (not empty, `.` or `..`) normpath keeps
it as it is, so the result is abspath's. Anything else, and a file at the
root of a drive (where normpath keeps a leading `//`), goes through
abspath itself.

The deployment layer asks for absolute paths file by file, several times
a run (each build of deployments, the roles, the references): on the
3,000-file repo-shaped tree abspath and its normpath were ~17,000 calls.
"""
from __future__ import annotations

import os


class Absolute:
    """A callable: `Absolute()(path) == os.path.abspath(path)`, folder by folder."""

    __slots__ = ("_folders",)

    def __init__(self):
        self._folders: dict[str, str | None] = {}

    def __call__(self, path: str) -> str:
        folder, sep, name = path.rpartition(os.sep)
        if not sep or not folder or name in ("", ".", "..") or (os.altsep and os.altsep in name):
            return os.path.abspath(path)
        absolute = self._folders.get(folder, "")
        if absolute == "":
            absolute = os.path.abspath(folder)
            if absolute.endswith(os.sep):  # a root ("/", "//", "C:\\"): abspath alone knows its form
                absolute = None
            self._folders[folder] = absolute
        return os.path.abspath(path) if absolute is None else absolute + sep + name
