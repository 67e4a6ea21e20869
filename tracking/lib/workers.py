"""CPU-bound work done side by side in processes of their own (PDF layout: WeasyPrint holds one core)."""

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor


def map_in_processes(function, items, *, processes):
    """[function(item) for item in items], in order, worked out in up to `processes` processes at once.

    `function` must be a module-level function that never uses the database. The processes are forked:
    a spawned one would import the caller's script again (a bench or shell script that seeds the demo
    would seed it again), and a fork starts at once with Django, templates and fonts already loaded. A
    forked process inherits this one's open database connection (perhaps mid-transaction), which is why
    `function` must leave the database alone; it ends with os._exit, so the connection is never closed
    from the child. Forking a process that runs other threads can deadlock the child, so with other
    threads running, or one process, or one item, it all runs here.
    """
    items = list(items)
    processes = min(processes, len(items))
    can_fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if processes <= 1 or not can_fork:
        return [function(item) for item in items]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        return list(pool.map(function, items))
