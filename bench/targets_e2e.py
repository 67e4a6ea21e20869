"""End-to-end walk through the target workflow on the demo, with a screenshot at each step.

Run against a freshly seeded demo served on PORT (default 8103):
  .venv/bin/python manage.py seed_demo && .venv/bin/python manage.py runserver 127.0.0.1:8103
  .venv/bin/python bench/targets_e2e.py
Screenshots go to /tmp/targets-e2e/.
"""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from playwright.sync_api import sync_playwright  # noqa: E402

from tracking.models import AuditEvent, Guardian, Subject, Target  # noqa: E402

BASE = f"http://127.0.0.1:{os.environ.get('PORT', '8103')}"
OUT = Path("/tmp/targets-e2e")
OUT.mkdir(exist_ok=True)


def fft_file():
    """FFT20 estimates for Year 7: one grade above the flight path for every third pupil."""
    lines = ["UPN,Subject code,Estimate grade"]
    for t in Target.objects.filter(pupil__year_group__number=7, pupil__school__is_demo=True).select_related(
        "pupil", "subject", "grade"
    ):
        step = t.grade.step + (1 if t.pupil_id % 3 == 0 else 0)
        grade = min(step, 9) if t.subject.scale.code == "gcse" else t.grade.code
        lines.append(f"{t.pupil.upn},{t.subject.code},{grade}")
    path = OUT / "fft20-year7.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def main():
    parent = Guardian.objects.get(user__username="parent")
    child = parent.pupils.filter(year_group__number=8).first()
    maths = Subject.objects.get(school=child.school, code="MA")
    target = Target.objects.get(pupil=child, subject=maths)
    print(f"Parent's child {child} maths target {target.grade} ({target.status})")
    fft_path = fft_file()
    y7 = Target.objects.filter(pupil__year_group__number=7, subject=maths).select_related("pupil").first()
    requested = str(int(target.grade.step) + 1)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop; our ORM calls are sequential
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )

        def login(username):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(f"{BASE}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "uplift-demo")
            page.click("button[type=submit]")
            return page

        def shot(page, name):
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
            print("screenshot", OUT / f"{name}.png")

        # 1. The data manager generates Year 7 targets from an FFT20 file (preview, then generate).
        page = login("datamanager")
        page.goto(f"{BASE}/targets/generate/")
        page.select_option("select[name=year_group]", label="Year 7")
        page.check("input[name=source][value=fft]")
        page.select_option("select[name=fft_label]", "FFT20")
        page.set_input_files("input[name=fft_file]", str(fft_path))
        page.click("button:has-text('Preview')")
        shot(page, "01-generate-preview")
        page.click("button:has-text('Generate')")
        shot(page, "02-generated-overview")
        assert "targets created" in page.content()

        # 2. SLT agree and publish Year 7 in one click each, with the count confirmed.
        page = login("slt")
        page.goto(f"{BASE}/targets/?year=7")
        page.click("button:has-text('Agree')")
        shot(page, "03-slt-agreed")
        page.click("button:has-text('Publish')")
        shot(page, "04-slt-published")
        assert Target.objects.filter(pupil__year_group__number=7, status="proposed").count() == 0
        page.goto(f"{BASE}/targets/pupil/{y7.pupil_id}/subject/{maths.pk}/")
        shot(page, "04b-year7-history")
        assert "Published" in page.content() and "Agreed by SLT" in page.content()

        # 3. The head of maths requests a change to a published target.
        page = login("hod.maths")
        page.goto(f"{BASE}/targets/pupil/{child.pk}/subject/{maths.pk}/")
        page.select_option("select[name=request-grade]", label=requested)
        page.fill(
            "textarea[name=request-reason]", "Scoring at grade 7 in every Year 8 test; raise to stretch her."
        )
        page.click("button:has-text('Request change')")
        shot(page, "05-hod-requested")

        # 4. The Data Verification Team (SLT) approves it from the queue.
        page = login("slt")
        page.goto(f"{BASE}/targets/changes/")
        shot(page, "06-dvt-queue")
        form = page.locator(f"form[action='/targets/pupil/{child.pk}/subject/{maths.pk}/']")
        form.locator("input[value=approve]").check()
        form.locator("textarea").fill("Agreed at the data verification meeting.")
        form.locator("button:has-text('Record decision')").click()
        page.goto(f"{BASE}/targets/pupil/{child.pk}/subject/{maths.pk}/")
        shot(page, "07-history")

        # 5. The parent sees the published target (and shared curricular targets only).
        page = login("parent")
        page.goto(f"{BASE}/pupils/{child.pk}/")
        page.screenshot(path=str(OUT / "08-parent.png"), full_page=True)
        assert "<strong>8</strong>" in page.content()
        print("screenshot", OUT / "08-parent.png")
        content = page.content()
        assert "Staff only" not in content
        browser.close()
    target.refresh_from_db()
    print(f"Now {target.grade} published {target.published_grade} ({target.status})")
    for event in AuditEvent.objects.filter(object_type="tracking.target", object_id=str(target.pk)).order_by(
        "at"
    ):
        print(
            " history:",
            event.at.strftime("%H:%M:%S"),
            event.action,
            event.by,
            event.before,
            "->",
            event.after,
            event.note,
        )


if __name__ == "__main__":
    main()
