"""Teachers saving whole marksheets at the same moment, against a real server.

Starts a threaded server (gunicorn, or runserver with --server runserver) on the configured database
(DATABASE_URL, else the development SQLite that `make run` uses), signs in N teachers through the login
form, gives each an open sheet of their own, and at a barrier has all of them press Save; each saves
--saves times (every cell changed each time). Afterwards every value a save answered "Saved" for must be
on the sheet and in the database. Budget: every save saved, nothing lost. With --busy-ok a save may
instead answer 503 "try again" (e.g. UPLIFT_SQLITE_BUSY_SECONDS=0), but then with every typed value
still in the page; a 500 always misses the budget.

    .venv/bin/python bench/save_burst.py [--teachers 24] [--saves 3] [--server gunicorn|runserver]

The saves are real: run it on a throwaway copy of the demo (make bench does).
"""

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar

from _setup import ROOT, setup

PASSWORD = "uplift-demo"
SHEET_LINK = re.compile(r'href="(/marksheets/\d+/\d+/)"')
ALLOWED = re.compile(r"<dt>Grades</dt><dd>([^<(]+?) \(typed")


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with id `form_id` (text, hidden, checked radios)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields, self.disabled = form_id, False, {}, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        elif self.inside and tag == "input" and attrs.get("name"):
            if "disabled" in attrs:
                self.disabled += 1
            elif attrs.get("type") != "radio" or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html, form_id):
    parser = FormFields(form_id)
    parser.feed(html)
    return parser


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One member of staff's browser: cookies, CSRF, no automatic redirects."""

    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if body is not None:
            request.add_header("Referer", self.base + path)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=120) as response:
                status, text, headers = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, headers = error.code, error.read().decode(errors="replace"), error.headers
        return status, text, headers, (time.perf_counter() - started) * 1000

    def login(self, username):
        status, html, _, _ = self.request("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, _, _, _ = self.request(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"{username} could not sign in (HTTP {status})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kind, workers, threads, log):
    port = free_port()
    python = sys.executable
    if kind == "gunicorn":
        command = [
            python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--timeout", "120",
        ]  # fmt: skip
    else:
        # runserver is threaded by default: one thread per request.
        command = [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    env = {**os.environ, "UPLIFT_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"the server exited (code {server.returncode}); log: {log.name}")
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
            return server, base
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not answer in 60 s")


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def teachers_with_sheets(count):
    """(username, group id) pairs: staff who teach a current group, one teacher per group."""
    from tracking.models import Staff

    staff = (
        Staff.objects.filter(school__is_demo=True, teaching_groups__academic_year__is_current=True)
        .select_related("user")
        .distinct()
        .order_by("user__username")
    )
    return [s.user.username for s in staff][: count * 3]


class Teacher:
    def __init__(self, base, username):
        self.browser, self.username = Browser(base), username
        self.sheet, self.saves, self.lost, self.unkept = None, [], [], []
        self.last_saved = None  # {field name: typed value} of the last save answered "Saved"

    def choose_sheet(self, taken, lock):
        self.browser.login(self.username)
        _, html, _, _ = self.browser.request("/marksheets/")
        for path in dict.fromkeys(SHEET_LINK.findall(html)):
            with lock:
                if path in taken:
                    continue
            _, page, _, _ = self.browser.request(path)
            form = form_fields(page, "marksheet")
            if form.disabled or not any(re.match(r"r-\d+-current$", n) for n in form.fields):
                continue
            with lock:
                if path in taken:
                    continue
                taken.add(path)
            self.sheet = path
            return True
        return False

    def typed(self, page, form, round_no):
        """Every cell changed: grades walk the scale, so each save writes the whole sheet."""
        codes = ALLOWED.search(page).group(1).split(", ")
        data = dict(form.fields)
        cells = [n for n in data if re.match(r"r-\d+-(current|predicted|security|effort|comment)$", n)]
        for i, name in enumerate(sorted(cells)):
            field = name.rsplit("-", 1)[1]
            if field in ("current", "predicted"):
                data[name] = codes[(i + round_no * 3) % len(codes)]
            elif field == "security":
                data[name] = "HML"[(i + round_no) % 3]
            elif field == "effort":
                data[name] = "1234"[(i + round_no) % 4]
            else:
                data[name] = f"Burst save {round_no} by {self.username}"
        return data, {n: data[n] for n in cells}

    def read_back(self):
        """The sheet after a save. With no busy timeout (--busy-ok) the read itself may meet another
        save's write lock and answer 503 "try again"; a teacher reloads, and so does this."""
        for _ in range(20):
            status, page, _, _ = self.browser.request(self.sheet)
            if status != 503:
                return page
            time.sleep(0.1)
        return page

    def run(self, barrier, saves):
        for round_no in range(1, saves + 1):
            _, page, _, _ = self.browser.request(self.sheet)
            form = form_fields(page, "marksheet")
            data, cells = self.typed(page, form, round_no)
            barrier.wait()
            status, body, headers, ms = self.browser.request(self.sheet, data)
            self.saves.append((status, ms))
            if status == 302:
                self.last_saved = cells
                page = self.read_back()
                shown = form_fields(page, "marksheet").fields
                self.lost += [(n, v, shown.get(n)) for n, v in cells.items() if shown.get(n) != v]
            elif status == 503:
                # "Try again": the page must still hold everything that was typed.
                kept = form_fields(body, "marksheet").fields
                self.unkept += [n for n, v in cells.items() if kept.get(n) != v]


def check_database(teachers):
    """Every value of each teacher's last successful save is in the database."""
    from tracking.models import GradeEntry, TeachingGroup

    missing = 0
    for teacher in teachers:
        if not teacher.last_saved:
            continue
        group_id, point_id = map(int, teacher.sheet.strip("/").split("/")[1:3])
        subject_id = TeachingGroup.objects.values_list("subject_id", flat=True).get(pk=group_id)
        entries = {
            e.pupil_id: e
            for e in GradeEntry.objects.filter(point_id=point_id, subject_id=subject_id).select_related(
                "current", "predicted"
            )
        }
        for name, value in teacher.last_saved.items():
            _, pupil, field = name.split("-")
            entry = entries.get(int(pupil))
            stored = getattr(entry, field, None) if entry else None
            stored = getattr(stored, "code", stored) or ""
            if str(stored) != value:
                missing += 1
    return missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, default=24)
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument("--server", choices=("gunicorn", "runserver"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--busy-ok", action="store_true", help="a 503 'try again' is within budget")
    args = parser.parse_args()
    setup()
    from django.db import connection

    vendor = connection.vendor
    connection.close()
    log = tempfile.NamedTemporaryFile("w+", prefix="save-burst-", suffix=".log", delete=False)  # noqa: SIM115
    server, base = start_server(args.server, args.workers, args.threads, log)
    try:
        candidates = teachers_with_sheets(args.teachers)
        taken, lock, teachers = set(), threading.Lock(), []
        for username in candidates:
            teacher = Teacher(base, username)
            if teacher.choose_sheet(taken, lock):
                teachers.append(teacher)
            if len(teachers) == args.teachers:
                break
        if len(teachers) < args.teachers:
            raise SystemExit(f"only {len(teachers)} teachers have an open sheet of their own")
        barrier = threading.Barrier(len(teachers))
        threads = [threading.Thread(target=t.run, args=(barrier, args.saves)) for t in teachers]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        stop_server(server)
    saves = [s for t in teachers for s in t.saves]
    statuses = {}
    for status, _ in saves:
        statuses[status] = statuses.get(status, 0) + 1
    times = sorted(ms for _, ms in saves)
    rows = sum(sum(1 for n in t.last_saved or () if n.endswith("-current")) for t in teachers)
    lost = sum(len(t.lost) for t in teachers)
    unkept = sum(len(t.unkept) for t in teachers)
    missing = check_database(teachers)
    print(
        f"Save burst on {vendor} via {args.server}: {len(teachers)} teachers x {args.saves} "
        f"whole-sheet saves ({rows} pupils' rows), {elapsed:.1f} s in all"
    )
    print("  answers: " + ", ".join(f"{n} x HTTP {s}" for s, n in sorted(statuses.items())))
    print(
        f"  save time: median {statistics.median(times):.0f} ms, "
        f"p90 {times[int(len(times) * 0.9) - 1]:.0f} ms, max {times[-1]:.0f} ms"
    )
    print(f"  saved values missing from the sheet: {lost}, from the database: {missing}")
    print(f"  typed values not kept on a 'try again' page: {unkept}")
    errors = sum(n for s, n in statuses.items() if s not in ((302, 503) if args.busy_ok else (302,)))
    ok = not errors and not lost and not missing and not unkept
    if errors:
        print(f"  server log: {log.name}")
    print("Budget (every save answered, nothing lost):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
