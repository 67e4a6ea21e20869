"""FFT estimate and flight-path uploads: good files generate, bad files are rejected whole by line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories as f
from tracking.mis.uploads import UploadRejected as ImportRejected
from tracking.models import FlightPath, FlightPathRow, Target
from tracking.targets.fft import fft_parse
from tracking.targets.flightpaths import (
    FlightPathTable,
    flightpaths_csv,
    flightpaths_import,
    flightpaths_install_defaults,
)

pytestmark = pytest.mark.django_db


def upload(text, name="file.csv"):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="text/csv")


def fft_csv(world, rows):
    return "UPN,Subject code,Estimate grade\n" + "\n".join(rows) + "\n"


def test_an_fft_file_generates_targets_labelled_with_the_chosen_percentile(client, world):
    text = fft_csv(
        world, [f"{world.child.upn},MA,7", f"{world.classmate.upn},ma,6", f"{world.child.upn},EN,5"]
    )
    client.force_login(world.data_manager.user)
    url = reverse("target_generate")
    form = {"year_group": world.y11.pk, "source": "fft", "fft_label": "FFT5"}
    preview = client.post(url, {**form, "fft_file": upload(text)})
    assert preview.status_code == 200 and "Generate 3 targets" in preview.content.decode()
    assert not Target.objects.exists()
    # The file was kept for the confirmation step: no need to choose it again.
    response = client.post(url, {**form, "confirm": "1"})
    assert response.status_code == 302
    target = Target.objects.get(pupil=world.child, subject=world.maths)
    assert (target.grade.code, target.source, target.source_detail) == ("7", "fft", "FFT5 estimate")
    assert Target.objects.count() == 3


def test_an_fft_file_with_bad_rows_is_rejected_whole_with_each_line_listed(client, world):
    text = fft_csv(
        world,
        [
            f"{world.child.upn},MA,7",
            "X999999999999,MA,6",
            f"{world.classmate.upn},ZZ,6",
            f"{world.classmate.upn},EN,12",
            f"{world.child.upn},MA,8",
        ],
    )
    client.force_login(world.data_manager.user)
    response = client.post(
        reverse("target_generate"),
        {"year_group": world.y11.pk, "source": "fft", "fft_label": "FFT20", "fft_file": upload(text)},
    )
    page = response.content.decode()
    assert "Line 3: no pupil with UPN &#x27;X999999999999&#x27;" in page
    assert "Line 4: unknown subject code &#x27;ZZ&#x27;" in page
    assert "Line 5: &#x27;12&#x27; is not a grade" in page
    assert "Line 6:" in page and "appears twice" in page
    assert "Line 2" not in page
    assert 'value="FFT20" selected' in page  # the uploader's choices are kept
    assert not Target.objects.exists()


def test_an_fft_row_for_a_pupil_in_another_year_is_rejected(world):
    y10 = f.YearGroupFactory(school=world.school, number=10)
    pupil = f.PupilFactory(school=world.school, year_group=y10)
    with pytest.raises(ImportRejected) as caught:
        fft_parse(
            school=world.school, year_group=world.y11, upload=upload(fft_csv(world, [f"{pupil.upn},MA,5"]))
        )
    assert caught.value.errors == [(2, f"pupil {pupil.upn} is not in Year 11")]


def test_a_pupil_of_another_school_is_unknown(world, other_world):
    with pytest.raises(ImportRejected) as caught:
        fft_parse(
            school=world.school,
            year_group=world.y11,
            upload=upload(fft_csv(world, [f"{other_world.child.upn},MA,5"])),
        )
    assert "no pupil with UPN" in caught.value.errors[0][1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        ("UPN,Subject,Estimate\nA,B,\xe9".encode("latin-1"), "not UTF-8"),
        (b"Pupil,Subject\nA,B\n", "header row must have"),
        (b"UPN,Subject code,Estimate grade\n", "no data rows"),
        (b"UPN,Subject code,Estimate grade\nA,MA\n", "has 2 column(s)"),
        (b"\x00\x01\x02PK", "not"),
    ],
)
def test_malformed_fft_files_are_rejected_with_a_clear_reason(world, content, message):
    with pytest.raises(ImportRejected) as caught:
        fft_parse(school=world.school, year_group=world.y11, upload=upload(content))
    assert message in caught.value.errors[0][1]


def test_a_file_over_the_import_limit_is_rejected(world, settings):
    settings.UPLIFT_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    big = b"UPN,Subject code,Estimate grade\n" + b"X" * (2 * 1024 * 1024)
    with pytest.raises(ImportRejected) as caught:
        fft_parse(school=world.school, year_group=world.y11, upload=upload(big))
    assert "larger than the 2 MB limit" in caught.value.errors[0][1]


def test_the_default_flight_path_follows_national_expectations(world):
    flightpaths_install_defaults(school=world.school)
    table = FlightPathTable(world.school)
    assert table.grade_for(world.maths.pk, 104).code == "5"
    assert table.grade_for(world.maths.pk, 111).code == "7"
    assert table.grade_for(world.maths.pk, 85).code == "2"
    assert table.grade_for(world.maths.pk, 120).code == "9"
    assert table.grade_for(world.maths.pk, None) is None
    assert FlightPath.objects.count() == 2  # maths and English


def test_a_flight_path_upload_replaces_the_named_subjects_rows(client, world):
    flightpaths_install_defaults(school=world.school)
    client.force_login(world.data_manager.user)
    text = "subject,ks2_from,grade\nMA,80,3\nMA,100,6\nMA,110,8\n"
    response = client.post(reverse("flight_paths"), {"file": upload(text)})
    assert response.status_code == 302
    table = FlightPathTable(world.school)
    assert table.grade_for(world.maths.pk, 104).code == "6"
    assert table.grade_for(world.english.pk, 104).code == "5"  # untouched
    csv_text = client.get(reverse("flight_paths_csv")).content.decode()
    assert "MA,100,6" in csv_text


def test_the_flight_path_download_neutralises_a_subject_code_that_reads_as_a_formula(world):
    world.maths.code = "=HYPERLINK"
    world.maths.save(update_fields=["code"])
    flightpaths_install_defaults(school=world.school)
    rows = flightpaths_csv(world.school).splitlines()
    assert any(line.startswith("'=HYPERLINK,") for line in rows)
    assert not any(line.startswith("=") for line in rows)


def test_a_bad_flight_path_upload_saves_nothing_and_lists_every_bad_line(world):
    flightpaths_install_defaults(school=world.school)
    before = list(FlightPathRow.objects.values_list("pk", flat=True))
    text = "subject,ks2_from,grade\nMA,80,3\nXX,90,4\nMA,ninety,4\nMA,100,Q\nMA,80,5\nEN,150,5\n"
    with pytest.raises(ImportRejected) as caught:
        flightpaths_import(school=world.school, upload=upload(text), by=world.data_manager.user)
    lines = [line for line, _ in caught.value.errors]
    assert lines == [3, 4, 5, 6, 7]
    assert "appears twice" in caught.value.errors[3][1]
    assert list(FlightPathRow.objects.values_list("pk", flat=True)) == before


def test_the_flight_paths_page_shows_rejected_lines(client, world):
    client.force_login(world.data_manager.user)
    response = client.post(reverse("flight_paths"), {"file": upload("subject,ks2_from,grade\nMA,80,11\n")})
    assert response.status_code == 200
    assert "Line 2:" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n \r\n"])
def test_a_flight_path_csv_that_is_only_a_byte_order_mark_is_refused_not_a_500(client, world, content):
    client.force_login(world.data_manager.user)
    response = client.post(reverse("flight_paths"), {"file": upload(content)})
    assert response.status_code == 200
    assert "the file is empty" in response.content.decode().lower()


# -- bad files through the MIS reader (tracking.mis.uploads): a clear reason, nothing saved, never a 500 --


def xlsx(rows):
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def post_fft(client, world, content, name="fft.csv"):
    client.force_login(world.data_manager.user)
    form = {"year_group": world.y11.pk, "source": "fft", "fft_label": "FFT20"}
    return client.post(reverse("target_generate"), {**form, "fft_file": upload(content, name)})


def post_flight_paths(client, world, content, name="paths.csv"):
    client.force_login(world.data_manager.user)
    return client.post(reverse("flight_paths"), {"file": upload(content, name)})


BAD_FILES = [
    pytest.param("UPN,Subject,Grade\nCafé,MA,5\n".encode("cp1252"), "f.csv", "not UTF-8", id="cp1252"),
    pytest.param(b"Pupil,Mark\nA,5\n", "f.csv", "header row must have", id="missing-columns"),
    pytest.param(xlsx([["a", "b"], ["c", "d"]])[:300], "f.xlsx", "truncated", id="truncated-xlsx"),
    pytest.param(b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "f.xls", "old Excel .xls", id="old-xls"),
]


@pytest.mark.parametrize(("content", "name", "message"), BAD_FILES)
def test_a_bad_fft_file_is_refused_with_its_reason_and_creates_no_targets(
    client, world, content, name, message
):
    response = post_fft(client, world, content, name)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Target.objects.exists()


@pytest.mark.parametrize(("content", "name", "message"), BAD_FILES)
def test_a_bad_flight_path_file_is_refused_with_its_reason_and_changes_nothing(
    client, world, content, name, message
):
    flightpaths_install_defaults(school=world.school)
    before = sorted(FlightPathRow.objects.values_list("pk", "grade_id"))
    response = post_flight_paths(client, world, content, name)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert sorted(FlightPathRow.objects.values_list("pk", "grade_id")) == before


def test_an_fft_workbook_generates_like_its_csv(client, world):
    content = xlsx([["UPN", "Subject code", "Estimate grade"], [world.child.upn, "MA", 7]])
    response = post_fft(client, world, content, "fft.xlsx")
    assert "Generate 1 target" in response.content.decode()


def test_a_flight_path_workbook_replaces_the_named_subjects_rows(client, world):
    content = xlsx([["Subject", "KS2 from", "Grade"], ["MA", 80, 3], ["MA", 100, 6]])
    response = post_flight_paths(client, world, content, "paths.xlsx")
    assert response.status_code == 302
    rows = FlightPathRow.objects.filter(flight_path__subject=world.maths).order_by("ks2_from")
    assert [(r.ks2_from, r.grade.code) for r in rows] == [(80, "3"), (100, "6")]


def test_a_utf16_fft_export_reads_like_utf8(world):
    text = f"UPN\tSubject code\tEstimate grade\r\n{world.child.upn}\tMA\t7\r\n"
    estimates = fft_parse(school=world.school, year_group=world.y11, upload=upload(text.encode("utf-16")))
    assert [g.code for g in estimates.values()] == ["7"]


def test_a_formula_in_an_upload_is_refused_on_its_line_not_read(world):
    text = 'subject,ks2_from,grade\nMA,80,3\nMA,90,=HYPERLINK("x")\n'
    with pytest.raises(ImportRejected) as caught:
        flightpaths_import(school=world.school, upload=upload(text), by=world.data_manager.user)
    assert caught.value.errors[0][0] == 3 and "formula" in caught.value.errors[0][1]
    assert not FlightPath.objects.exists()


def test_every_bad_fft_line_is_listed_together_with_a_short_row(world):
    text = f"UPN,Subject code,Estimate grade\n{world.child.upn},MA\nX,MA,5\n"
    with pytest.raises(ImportRejected) as caught:
        fft_parse(school=world.school, year_group=world.y11, upload=upload(text))
    assert [line for line, _ in caught.value.errors] == [2, 3]
