"""Reading a DfE Common Transfer File (any recent version) into plain values.

Read by element name and tolerate unknown elements: every MIS writes a slightly different CTF, and a
new version of the specification comes most Septembers. Nothing here touches the database; the
import service decides what to create or update. Parsing is hardened (no DTDs, entities or network),
and every problem names the pupil and element instead of raising.
"""

import datetime
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tracking.lib.errors import DomainError
from tracking.lib.upn import CHECK_LETTERS, check_letter
from tracking.models.people import SenNeed

SEN_PROVISION = {"N": "N", "K": "K", "E": "E", "S": "E"}  # S: a statement, the EHC plan's predecessor
ENGLISH_CODES = {"ENG", "ENB"}  # English, and "believed to be English"

# Which KS2 stage-assessment rows fill which pupil field: (subject, component) for test results (TT).
# Schools can extend this table; rows it cannot place are reported, never dropped silently.
DEFAULT_KS2_MAP = {
    ("ENG", "RD"): "ks2_reading",
    ("RD", "RD"): "ks2_reading",
    ("REA", "REA"): "ks2_reading",
    ("MAT", "MAT"): "ks2_maths",
    ("MA", "MA"): "ks2_maths",
}
KS2_FIELDS = {"ks2_reading", "ks2_maths"}


class CtfError(DomainError):
    """The file as a whole cannot be read (not a CTF, malformed, hostile)."""

    def __init__(self, message):
        super().__init__("unreadable_ctf", message)


@dataclass
class CtfContact:
    title: str
    forename: str
    surname: str
    relationship: str
    email: str


@dataclass
class CtfPupil:
    element: str  # e.g. "Pupil 2", for messages
    upn: str
    forename: str
    surname: str
    preferred_forename: str
    preferred_surname: str
    date_of_birth: datetime.date | None
    gender: str
    nc_year: int | None
    sen_status: str = "N"
    sen_need: str = ""  # the primary need (SENtypeRank 1), for pupils with SEN support or an EHC plan
    looked_after: bool = False
    eal: bool = False
    fsm_periods: list = field(default_factory=list)  # (start, end or None)
    attendance: float | None = None
    ks2: dict = field(default_factory=dict)  # field -> scaled score
    contacts: list = field(default_factory=list)  # with parental responsibility only
    notes: list = field(default_factory=list)  # rows that could not be placed (not errors)

    def disadvantaged(self, today, years=6):
        """Ever-FSM within `years` years (the school chooses; pupil premium uses six)."""
        cutoff = today.replace(year=today.year - years)
        return any((end or today) >= cutoff for _start, end in self.fsm_periods)


@dataclass
class CtfFile:
    version: str
    qualifier: str
    source_school: str
    pupils: list
    problems: list  # (element, message): any problem means nothing is saved


def _text(node, path):
    found = node.find(path) if node is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _date(text):
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _int(text):
    text = text.replace(" ", "")
    return int(text) if text.lstrip("-").isdigit() else None


def upn_problem(upn):
    """Why a UPN is not valid (naming the expected check letter), or None."""
    if len(upn) != 13:
        return f"UPN '{upn}' must be 13 characters"
    body = upn[1:]
    if (
        upn[0] not in CHECK_LETTERS
        or not body[:11].isdigit()
        or not (body[11].isdigit() or body[11] in CHECK_LETTERS)
    ):
        return f"UPN '{upn}' is not in the DfE format (a check letter, 11 digits, a digit or letter)"
    expected = check_letter(body)
    if upn[0] != expected:
        return f"UPN '{upn}' has check letter {upn[0]}; the DfE check letter for it is {expected}"
    return None


def parse(raw, *, max_bytes, ks2_map=None):
    """A CtfFile from the file's bytes. Raises CtfError when the file cannot be read at all."""
    if len(raw) > max_bytes:
        raise CtfError(f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit.")
    if not raw.strip():
        raise CtfError("The file is empty.")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise CtfError(
            "The file declares a DTD or entities, which a CTF never does: refused for safety."
        ) from None
    except ParseError as error:
        line, column = error.position
        raise CtfError(
            f"The file is not well-formed XML (line {line}, column {column}): it may be truncated."
        ) from None
    if root.tag != "CTfile":
        raise CtfError(
            f"This is not a Common Transfer File: the document starts with <{root.tag}>, not <CTfile>."
        )
    header = root.find("Header")
    version = _text(header, "CTFversion")
    if not version:
        raise CtfError("The file has no <Header><CTFversion>: it is not a Common Transfer File.")
    pupils, problems = [], []
    table = ks2_map or DEFAULT_KS2_MAP
    seen = {}
    for index, node in enumerate(root.iterfind("CTFpupilData/Pupil"), start=1):
        pupil = _pupil(node, f"Pupil {index}", table, problems)
        if pupil.upn and pupil.upn in seen:
            problems.append((pupil.element, f"UPN {pupil.upn} appears twice (also {seen[pupil.upn]})"))
        seen.setdefault(pupil.upn, pupil.element)
        pupils.append(pupil)
    return CtfFile(
        version=version,
        qualifier=_text(header, "DocumentQualifier"),
        source_school=_text(header, "SourceSchool/SchoolName"),
        pupils=pupils,
        problems=problems,
    )


def _pupil(node, element, table, problems):
    def problem(where, message):
        problems.append((f"{element} › {where}", message))

    upn = _text(node, "UPN").upper()
    element = f"{element} ({upn})" if upn else element
    if not upn:
        problem("UPN", "missing")
    elif why := upn_problem(upn):
        problem("UPN", why)
    surname, forename = _text(node, "Surname"), _text(node, "Forename")
    if not surname:
        problem("Surname", "missing")
    if not forename:
        problem("Forename", "missing")
    dob = _date(_text(node, "DOB"))
    if dob is None:
        problem("DOB", f"'{_text(node, 'DOB')}' is not a date (yyyy-mm-dd)")
    # Older versions write Gender, newer DfE files write Sex.
    sex = (_text(node, "Gender") or _text(node, "Sex")).upper()
    if sex not in {"M", "F", "X", "U", "9"}:
        problem("Gender", f"'{sex}' is not M or F")
    basic = node.find("BasicDetails")
    nc_year = _int(_text(basic, "NCyearActual"))
    pupil = CtfPupil(
        element=element,
        upn=upn,
        forename=forename,
        surname=surname,
        preferred_forename=_text(basic, "PreferredForename"),
        preferred_surname=_text(basic, "PreferredSurname"),
        date_of_birth=dob,
        gender=sex if sex in {"M", "F"} else "X",
        nc_year=nc_year,
    )
    first = [
        t for t in node.iterfind("BasicDetails/Languages/Type") if _text(t, "LanguageType") in {"F", "T"}
    ]
    language = _text(first[0], "Language").upper() if first else ""
    eal_flag = _text(basic, "SuppInfo/EnglishAsAdditionalLanguage").upper()
    pupil.eal = eal_flag == "Y" or (eal_flag != "N" and bool(language) and language not in ENGLISH_CODES)
    pupil.looked_after = _text(node, "LookedAfter/InCare").lower() == "true"
    for fsm in node.iterfind("FSMhistory/FSMinstance"):
        start = _date(_text(fsm, "FSMstartDate"))
        if start:
            pupil.fsm_periods.append((start, _date(_text(fsm, "FSMendDate"))))
    current = [s for s in node.iterfind("SENhistory/SEN") if not _text(s, "EndDate")]
    if current:
        latest = max(current, key=lambda s: _text(s, "StartDate"))
        code = _text(latest, "SENprovision").upper()
        if code in SEN_PROVISION:
            pupil.sen_status = SEN_PROVISION[code]
        else:
            problem("SENhistory", f"SEN provision '{code}' is not N, K, E or S")
    if pupil.sen_status != "N":
        pupil.sen_need = _primary_need(node, pupil)
    years = sorted(node.iterfind("Attendance/YearData"), key=lambda y: _text(y, "Year"))
    if years:
        possible = _int(_text(years[-1], "SessionsPossible"))
        attended = _int(_text(years[-1], "SessionsAttended"))
        if possible and attended is not None and 0 <= attended <= possible:
            pupil.attendance = round(100 * attended / possible, 1)
    for contact in node.iterfind("Contacts/Contact"):
        if _text(contact, "Responsibility").lower() == "true":
            pupil.contacts.append(
                CtfContact(
                    title=_text(contact, "Title"),
                    forename=_text(contact, "Forename"),
                    surname=_text(contact, "Surname"),
                    relationship=_text(contact, "Relationship"),
                    email=_text(contact, "Email"),
                )
            )
    for stage in node.iterfind("StageAssessments/KeyStage"):
        if _text(stage, "Stage").upper() != "KS2":
            continue
        for row in stage.iterfind("StageAssessment"):
            _ks2_row(pupil, row, table)
    return pupil


def _primary_need(node, pupil):
    """The need ranked first among those not ended (SENneeds sits in SENhistory, or beside it in some
    MIS's files); a code that is not the DfE's is noted and kept out."""
    needs = [
        n for n in node.iterfind(".//SENneeds/SENneed") if not _text(n, "NeedEndDate") and _text(n, "SENtype")
    ]
    if not needs:
        return ""
    first = min(needs, key=lambda n: (_int(_text(n, "SENtypeRank")) or 99, _text(n, "NeedStartDate")))
    code = _text(first, "SENtype").upper()
    if code not in SenNeed.values:
        pupil.notes.append(f"SEN need type '{code}' is not one of the DfE's codes (kept out)")
        return ""
    return code


def _ks2_row(pupil, row, table):
    subject, component = _text(row, "Subject").upper(), _text(row, "Component").upper()
    method, result = _text(row, "Method").upper(), _text(row, "Result").upper()
    label = f"KS2 {subject}/{component} {method} '{result}'"
    target = table.get((subject, component)) if method == "TT" else None
    if target not in KS2_FIELDS:
        pupil.notes.append(f"{label}: not mapped to a KS2 field (kept out)")
        return
    score = _int(result)
    if score is None or not 80 <= score <= 120:
        pupil.notes.append(f"{label}: not a scaled score 80–120 (e.g. absent or working below the test)")
        return
    pupil.ks2[target] = score
