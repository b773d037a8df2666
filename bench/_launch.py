"""Run a Python program and, when it exits, write its own peak RSS (bytes) to a file.

Usage: ``python bench/_launch.py OUT -- PROGRAM [ARGS...]`` where PROGRAM is a script path (a
console script such as ``rekolabels`` included), ``-m MODULE`` or ``-c CODE``.

Why not ``os.wait4``'s ``ru_maxrss``: Linux carries the high-water mark across ``exec``, so a
child spawned by a large process reports at least that process's RSS at spawn time (the bench
itself, hundreds of MiB after some figures). ``VmHWM`` of ``/proc/self/status`` belongs to the
memory image after ``exec``: the program's own peak.
"""

from __future__ import annotations

import atexit
import os
import runpy
import sys


def _peak_rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmHWM in /proc/self/status")


def main() -> None:
    out, separator, *program = sys.argv[1:]
    if separator != "--" or not program:
        raise SystemExit(__doc__)

    def report() -> None:
        with open(out, "w") as file:
            file.write(str(_peak_rss()))

    atexit.register(report)
    if program[0] == "-m":
        sys.argv = program[1:]
        runpy.run_module(program[1], run_name="__main__", alter_sys=True)
    elif program[0] == "-c":
        sys.argv = ["-c", *program[2:]]
        exec(compile(program[1], "<string>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = program
        sys.path[0] = os.path.dirname(os.path.abspath(program[0]))
        runpy.run_path(program[0], run_name="__main__")


if __name__ == "__main__":
    main()
