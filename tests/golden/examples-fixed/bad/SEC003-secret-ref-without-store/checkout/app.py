"""The checkout app that the run file starts (a placeholder: daprlint reads only the paths)."""
