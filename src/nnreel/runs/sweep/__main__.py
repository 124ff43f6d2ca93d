"""`python -m nnreel.runs.sweep plan|work|collect …`, the same as `nnreel sweep …`."""

from __future__ import annotations

import sys

from nnreel.runs.sweep.command import finish, main

if __name__ == "__main__":
    finish(lambda: main(sys.argv[1:]))
