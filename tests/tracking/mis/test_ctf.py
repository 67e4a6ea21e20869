"""Reading Common Transfer Files: the real SIMS samples, other versions, and broken or hostile files."""

import datetime
from pathlib import Path

import pytest

from tracking.mis.ctf import CtfError, parse, upn_problem

# Four SIMS CTF 19.0 exports (a school's public test files, names fictional), copied as test data.
SAMPLES = Path(__file__).resolve().parent / "samples"
LIMIT = 5 * 1024 * 1024


def sample(name):
    return (SAMPLES / name).read_bytes()


def ctf(pupils, version="25.0", root="CTfile"):
    return (
        f"<?xml version='1.0' encoding='utf-8'?><{root}><Header><CTFversion>{version}</CTFversion>"
        f"<DocumentQualifier>full</DocumentQualifier></Header><CTFpupilData>{pupils}</CTFpupilData></{root}>"
    ).encode()


PUPIL = (
    "<Pupil><UPN>B801200005001</UPN><Surname>Ng</Surname><Forename>Ada</Forename><DOB>2014-03-02</DOB>"
    "<Sex>F</Sex><BasicDetails><NCyearActual>6</NCyearActual><Languages><Type><LanguageType>F</LanguageType>"
    "<Language>POL</Language></Type></Languages></BasicDetails>"
    "<FSMhistory><FSMinstance><FSMstartDate>2022-01-10</FSMstartDate></FSMinstance></FSMhistory>"
    "<LookedAfter><InCare>true</InCare></LookedAfter>"
    "<SENhistory><SEN><StartDate>2020-01-01</StartDate><SENprovision>K</SENprovision><EndDate>2021-01-01</EndDate>"
    "</SEN><SEN><StartDate>2021-01-02</StartDate><SENprovision>E</SENprovision></SEN></SENhistory>"
    "<Contacts><Contact><Forename>Bo</Forename><Surname>Ng</Surname><Relationship>PAM</Relationship>"
    "<Responsibility>true</Responsibility><Email>bo@example.org</Email></Contact>"
    "<Contact><Forename>Cy</Forename><Surname>Ng</Surname><Relationship>OTH</Relationship>"
    "<Responsibility>false</Responsibility></Contact></Contacts>"
    "<Attendance><YearData><Year>2025</Year><SessionsPossible>300</SessionsPossible>"
    "<SessionsAttended>285</SessionsAttended></YearData></Attendance>"
    "<StageAssessments><KeyStage><Stage>KS2</Stage>"
    "<StageAssessment><Subject>ENG</Subject><Method>TT</Method><Component>RD</Component><Result>104</Result>"
    "</StageAssessment><StageAssessment><Subject>MAT</Subject><Method>TT</Method><Component>MAT</Component>"
    "<Result>111</Result></StageAssessment><StageAssessment><Subject>ENG</Subject><Method>TT</Method>"
    "<Component>GPS</Component><Result>108</Result></StageAssessment></KeyStage></StageAssessments></Pupil>"
)


def test_the_sims_samples_read_with_their_version_and_pupils():
    read = parse(sample("sims19_y7_2_students.xml"), max_bytes=LIMIT)
    assert read.version == "19.0"
    assert [p.upn for p in read.pupils] == ["G335311012004", "U865346313703"]
    lionel = read.pupils[0]
    assert (lionel.forename, lionel.surname, lionel.date_of_birth) == (
        "Lionel",
        "Richie",
        datetime.date(2008, 11, 13),
    )
    assert lionel.nc_year == 6
    # Only contacts with parental responsibility become guardians.
    assert sorted(c.forename for c in lionel.contacts) == ["Jeanie", "Mac"]
    assert read.pupils[1].sen_status == "N"  # the SEN support period ended in 2016


def test_bad_check_letters_in_the_samples_are_reported_with_the_letter_expected():
    problems = []
    names = sorted(p.name for p in SAMPLES.glob("*.xml"))
    assert len(names) == 4
    for name in names:
        problems += parse(sample(name), max_bytes=LIMIT).problems
    upn_problems = sorted(message for _where, message in problems if "check letter" in message)
    # The reference says two fail; by its own algorithm (and its example B801200005001) three do.
    assert upn_problems == [
        "UPN 'C706200819999' has check letter C; the DfE check letter for it is G",
        "UPN 'J933207636549' has check letter J; the DfE check letter for it is T",
        "UPN 'U865346313703' has check letter U; the DfE check letter for it is R",
    ]


def test_a_newer_version_with_sex_fsm_sen_eal_attendance_and_ks2_is_read():
    read = parse(ctf(PUPIL), max_bytes=LIMIT)
    assert read.problems == []
    ada = read.pupils[0]
    assert ada.gender == "F"
    assert ada.sen_status == "E"
    assert ada.looked_after and ada.eal
    assert ada.attendance == 95.0
    assert ada.ks2 == {"ks2_reading": 104, "ks2_maths": 111}
    assert any("GPS" in note for note in ada.notes)  # reported, not silently dropped
    assert ada.disadvantaged(datetime.date(2026, 11, 30)) is True
    assert ada.disadvantaged(datetime.date(2026, 11, 30), years=1) is True  # no end date: still eligible
    assert [c.email for c in ada.contacts] == ["bo@example.org"]


def test_ks2_results_that_are_not_scaled_scores_are_noted_not_stored():
    pupil = PUPIL.replace("<Result>104</Result>", "<Result>A</Result>")
    ada = parse(ctf(pupil), max_bytes=LIMIT).pupils[0]
    assert "ks2_reading" not in ada.ks2
    assert any("'A'" in note for note in ada.notes)


def test_every_bad_pupil_is_named_with_its_element():
    bad = PUPIL.replace("B801200005001", "A801200005001").replace("2014-03-02", "02/03/2014")
    read = parse(ctf(bad + PUPIL.replace("<Surname>Ng</Surname>", "")), max_bytes=LIMIT)
    wheres = [where for where, _message in read.problems]
    assert "Pupil 1 (A801200005001) › UPN" in wheres
    assert "Pupil 1 (A801200005001) › DOB" in wheres
    assert "Pupil 2 (B801200005001) › Surname" in wheres


def test_a_duplicate_upn_is_a_problem():
    read = parse(ctf(PUPIL + PUPIL), max_bytes=LIMIT)
    assert any("appears twice" in message for _where, message in read.problems)


def test_upn_problem_explains_format_and_check_letter():
    assert upn_problem("B801200005001") is None
    assert "check letter for it is B" in upn_problem("A801200005001")
    assert "13 characters" in upn_problem("B80120")
    assert "DfE format" in upn_problem("B8012000050!1")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b"<CTfile>&lol2;</CTfile>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CTfile>&e;</CTfile>'


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"", "empty"),
        (BILLION_LAUGHS, "DTD or entities"),
        (XXE, "DTD or entities"),
        (ctf(PUPIL)[:-40], "not well-formed XML"),
        (b"\xff\xfe<\x00C\x00T\x00", "not well-formed XML"),
        (b"UPN,Surname\nB801200005001,Ng\n", "not well-formed XML"),
        (ctf(PUPIL, root="Other"), "not a Common Transfer File"),
        (ctf(PUPIL, version=""), "no <Header><CTFversion>"),
        (b" " * 200, "empty"),
    ],
)
def test_broken_and_hostile_files_are_refused_with_a_clear_reason(raw, says):
    with pytest.raises(CtfError) as error:
        parse(raw, max_bytes=LIMIT)
    assert says in str(error.value)


def test_an_oversized_file_is_refused_before_parsing():
    with pytest.raises(CtfError, match="larger than the 1 MB limit"):
        parse(b"<CTfile>" + b" " * (1024 * 1024), max_bytes=1024 * 1024)


def test_the_primary_sen_need_is_the_need_ranked_first_that_has_not_ended():
    needs = (
        "<SENneeds><SENneed><NeedStartDate>2019-01-01</NeedStartDate><NeedEndDate>2020-01-01</NeedEndDate>"
        "<SENtypeRank>1</SENtypeRank><SENtype>MLD</SENtype></SENneed>"
        "<SENneed><SENtypeRank>2</SENtypeRank><SENtype>SLCN</SENtype></SENneed>"
        "<SENneed><SENtypeRank>1</SENtypeRank><SENtype>spld</SENtype></SENneed></SENneeds></SENhistory>"
    )
    ada = parse(ctf(PUPIL.replace("</SENhistory>", needs)), max_bytes=LIMIT).pupils[0]
    assert (ada.sen_status, ada.sen_need) == ("E", "SPLD")
    odd = parse(ctf(PUPIL.replace("</SENhistory>", needs.replace("spld", "DYS"))), max_bytes=LIMIT)
    # A first-ranked code that is not the DfE's is noted and not stored (the second need is not the primary).
    assert odd.problems == [] and odd.pupils[0].sen_need == ""
    assert any("'DYS'" in note for note in odd.pupils[0].notes)


def test_a_pupil_with_no_sen_now_has_no_primary_need_whatever_the_history_lists():
    # The SIMS sample's second pupil left SEN support in 2016 but still lists SLCN and SPLD.
    read = parse(sample("sims19_y7_2_students.xml"), max_bytes=LIMIT)
    assert (read.pupils[1].sen_status, read.pupils[1].sen_need) == ("N", "")
