"""Pausing Python's cycle collector while a page builds thousands of small rows.

CPython's collector runs a pass whenever enough objects have been made since the last, and every so
often a full pass over every object in the process (a Django process holds hundreds of thousands). A
page that builds a row for each of thousands of pupils sets off such full passes by itself: at 6,000
pupils they were a third of the Attainment 8 page's time. Those rows hold no reference cycles, so
nothing is left for the collector to find: each is freed as usual when no longer referenced.
"""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """The cycle collector paused for the block (and left as it was found: a block inside another, or in
    a process that has paused it for its own reasons, changes nothing)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
