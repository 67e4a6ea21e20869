"""map_in_processes: CPU-bound work side by side in forked processes, in order, or here when it must."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from tracking.lib.workers import map_in_processes

# In a fresh interpreter: the test session itself may run threads (the browser tests' live server),
# and with threads running the work stays in the calling process.
FORKING = """
import json, os
from tracking.lib.workers import map_in_processes

def square_and_process(n):
    return n * n, os.getpid()

print(json.dumps({"me": os.getpid(), "results": map_in_processes(square_and_process, range(8), processes=2)}))
"""


def _square_and_process(n):
    return n * n, os.getpid()


def test_items_are_worked_out_in_other_processes_and_come_back_in_order():
    root = Path(__file__).resolve().parents[3]
    command = [sys.executable, "-c", FORKING]
    out = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)
    assert [square for square, _ in found["results"]] == [n * n for n in range(8)]
    pids = {pid for _, pid in found["results"]}
    assert found["me"] not in pids and 1 <= len(pids) <= 2


def test_one_process_or_one_item_runs_here():
    for processes, items in ((1, range(3)), (4, [5])):
        results = map_in_processes(_square_and_process, items, processes=processes)
        assert {pid for _, pid in results} == {os.getpid()}


def test_with_another_thread_running_it_runs_here_rather_than_fork():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        results = map_in_processes(_square_and_process, range(4), processes=2)
    finally:
        stop.set()
        thread.join()
    assert [square for square, _ in results] == [0, 1, 4, 9]
    assert {pid for _, pid in results} == {os.getpid()}
