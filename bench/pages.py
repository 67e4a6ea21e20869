"""Every page each demo role reaches from the navigation, timed as server time through the test client.

Signs in as each demo role, opens the home page, follows every link in the main navigation and on the
home page, then every link on those pages (one page per URL pattern and query, e.g. one pupil page,
every filter the menus link to). Each page is opened once to warm up and count its SQL, then timed
--runs times; its figure is the median. Budgets, for the demo school at any size: every page under
300 ms, nine pages in ten under 80 ms.

    .venv/bin/python bench/pages.py [--runs 3] [--role slt] [--top 15] [--json out.json]

Downloads (PDF, spreadsheets) and the Django admin are listed but not timed against these budgets.
"""

import argparse
import json
import re
import statistics
import sys
import time
from urllib.parse import parse_qsl, urlsplit

from _setup import setup, verdict

MAX_MS, P90_MS = 300, 80
HREF = re.compile(r'href="(/[^"#]*)"')
NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
SKIP = ("/static/", "/media/", "/accounts/logout", "/admin/")
DOWNLOAD = re.compile(r"\.(pdf|xlsx|csv|zip)$|/export|/download|/pdf")
VARIANTS = 8  # at most this many query-string variants of one page (sort columns, filters)


def links(html):
    return [m.replace("&amp;", "&") for m in HREF.findall(html) if not m.startswith(SKIP)]


def roles():
    """The demo's named people (the README's logins; Hillside's when it was built), plus a head of year and
    a key-stage coordinator."""
    from tracking.models import Role, StaffRole, User

    names = ["slt", "datamanager", "hod.maths", "teacher.maths", "teacher.english", "tutor.11a", "mentor"]
    names += ["senco", "senco.assistant", "parent", "parent2"]
    names += ["trust", "hillside.slt", "hillside.datamanager"]  # with Hillside built
    for scope in ({"year_group__isnull": False}, {"key_stage__isnull": False}):
        role = (
            StaffRole.objects.filter(role=Role.HEAD_OF_YEAR, staff__school__is_demo=True, **scope)
            .order_by("staff__user__username")
            .values_list("staff__user__username", flat=True)
            .first()
        )
        if role and role not in names:
            names.append(role)
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return [users[n] for n in names if n in users]


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def page_key(url):
    """One page per URL pattern and query: /pupils/5/ and /pupils/6/ are the same page."""
    from django.urls import Resolver404, resolve

    parts = urlsplit(url)
    try:
        name = resolve(parts.path).url_name
    except Resolver404:
        return None
    query = tuple(sorted((k, v) for k, v in parse_qsl(parts.query) if k != "page"))
    return name, query


def measure(client, url, runs):
    from django.db import connection

    counter = Counter()
    with connection.execute_wrapper(counter):
        response = client.get(url)
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return response, statistics.median(times), statistics.median(cpu), counter.count


def crawl(user, runs):
    """(url, status, median ms, cpu ms, queries) for every page this user reaches; downloads apart."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 200, f"{user.username}: home answered {home.status_code}"
    html = home.content.decode()
    nav = NAV.search(html)
    first = ["/", *links(nav.group(0) if nav else ""), *links(html)]
    pages, downloads, seen, variants = [], [], set(), {}
    frontier = first
    for _depth in range(2):
        next_frontier = []
        for url in dict.fromkeys(frontier):
            key = page_key(url)
            if key is None or key in seen:
                continue
            if variants.get(key[0], 0) >= VARIANTS:
                continue
            seen.add(key)
            variants[key[0]] = variants.get(key[0], 0) + 1
            if DOWNLOAD.search(urlsplit(url).path):
                downloads.append(url)
                continue
            response, ms, cpu, queries = measure(client, url, runs)
            if "html" not in response.get("Content-Type", ""):
                downloads.append(url)
                continue
            pages.append((url, response.status_code, ms, cpu, queries))
            if response.status_code == 200:
                next_frontier += links(response.content.decode())
        frontier = next_frontier
    return pages, downloads


def percentile(values, share):
    values = sorted(values)
    return values[max(0, int(round(len(values) * share)) - 1)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--role", action="append", help="only these usernames")
    parser.add_argument("--top", type=int, default=15, help="list this many of the slowest pages")
    parser.add_argument("--json", help="write every page's figures to this file")
    args = parser.parse_args()
    setup()
    from django.db import connection

    from tracking.models import Pupil

    pupils = Pupil.objects.filter(school__is_demo=True).count()
    results, downloads, failures = [], set(), []
    started = time.perf_counter()
    for user in roles():
        if args.role and user.username not in args.role:
            continue
        pages, files = crawl(user, args.runs)
        downloads.update(files)
        for url, status, ms, cpu, queries in pages:
            if status >= 500:
                failures.append(f"{user.username} {url} -> {status}")
            results.append({"role": user.username, "url": url, "status": status, "ms": ms, "cpu_ms": cpu,
                            "queries": queries})  # fmt: skip
        times = [p[2] for p in pages]
        print(
            f"{user.username:>16}: {len(pages):3} pages, median {statistics.median(times):5.0f} ms, "
            f"max {max(times):5.0f} ms"
        )
    times = [r["ms"] for r in results]
    p50, p90, worst = statistics.median(times), percentile(times, 0.9), max(times)
    over = [r for r in results if r["ms"] >= MAX_MS]
    print(
        f"\nPages on {connection.vendor}, demo of {pupils} pupils: {len(results)} role-pages timed in "
        f"{time.perf_counter() - started:.0f} s ({args.runs} runs each, median taken)"
    )
    print(f"  p50 {p50:.0f} ms, p90 {p90:.0f} ms (budget {P90_MS}), max {worst:.0f} ms (budget {MAX_MS})")
    print(f"  pages over {MAX_MS} ms: {len(over)}; downloads not timed: {len(downloads)}")
    print(f"  slowest {args.top}:")
    for r in sorted(results, key=lambda r: -r["ms"])[: args.top]:
        print(f"    {r['ms']:6.0f} ms  cpu {r['cpu_ms']:5.0f}  {r['queries']:4} q {r['role']:>15} {r['url']}")
    most = max(results, key=lambda r: r["queries"])
    print(f"  most queries: {most['queries']} on {most['url']} as {most['role']}")
    for failure in failures:
        print("  ERROR", failure)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"vendor": connection.vendor, "pupils": pupils, "pages": results}, out, indent=1)
    return verdict(not failures and worst < MAX_MS and p90 < P90_MS)


if __name__ == "__main__":
    sys.exit(main())
