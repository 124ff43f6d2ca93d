"""Pipeline stages: each module's main() loads its inputs, computes, and writes its outputs."""

from __future__ import annotations

import sys
from collections.abc import Callable

from nnreel.errors import UserError


def run_stage(name: str, main: Callable[[], None]) -> None:
    """Run a stage; errors a user can fix, and Ctrl-C, become one line on stderr."""
    try:
        main()
    except UserError as e:
        print(f"nnreel {name}: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"nnreel {name}: interrupted; no output was written", file=sys.stderr)
        sys.exit(130)
