"""ANSI styles for the text formats (used only when ctx["colour"] is true).

Only these constant sequences are ever written raw: everything from the
linted tree goes through `escape.printable` first.
"""
from __future__ import annotations

SEVERITY = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
BOLD, BLUE, CYAN, RESET = "\033[1m", "\033[94m", "\033[36m", "\033[0m"


def paint(text: str, style: str, colour: bool) -> str:
    return f"{style}{text}{RESET}" if colour and text else text
