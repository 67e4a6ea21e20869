"""Every kind of import, and starting a spreadsheet import (shared by the page, the command and the bench)."""

from tracking.mis import groups, people, pupils, results, services  # noqa: F401 - registers the importers
from tracking.mis.columns import guess_mapping, mapping_problems, saved_mapping
from tracking.mis.jobs import IMPORTERS, job_reject, job_run, max_bytes
from tracking.mis.tabular import TableError, read_table
from tracking.models import ImportJob, ImportKind, ImportStatus

# The order the imports page offers them in: the roll first, what hangs off it after.
SPREADSHEET_KINDS = (
    ImportKind.PUPILS,
    ImportKind.STAFF,
    ImportKind.GUARDIANS,
    ImportKind.GROUPS,
    ImportKind.KS2,
    ImportKind.ATTENDANCE,
    ImportKind.FFT,
    ImportKind.GRADES,
)


def spreadsheet_importers():
    return [IMPORTERS[kind] for kind in SPREADSHEET_KINDS]


def spreadsheet_importer(kind):
    return IMPORTERS[kind] if kind in SPREADSHEET_KINDS else None


def spreadsheet_job(*, school, kind, raw, file_name, by, mapping=None, options=None):
    """A saved job for an uploaded spreadsheet: REJECTED if it cannot be read, MAPPING if its columns
    need choosing, else RUNNING (ready to start) with the mapping it will use.

    The mapping is the one given, else the school's remembered one, else guessed from the header.
    `options` are the importer's choices for this file (only those it offers, and only when true)."""
    importer = IMPORTERS[kind]
    chosen = {name: True for name, on in (options or {}).items() if on and name in importer.options}
    job = ImportJob(school=school, kind=kind, file_name=file_name[:200], by=by, options=chosen)
    if len(raw) > max_bytes():
        job_reject(job, [("file", f"The file is larger than the {max_bytes() // (1024 * 1024)} MB limit.")])
        job.save()
        return job
    try:
        table = read_table(raw, file_name=file_name, max_bytes=max_bytes())
    except TableError as error:
        job_reject(job, [("file", str(error))])
        job.save()
        return job
    job.content, job.rows_total, job.version = raw, len(table.rows), table.format
    job.table = table  # read once: the dry run that follows in this process uses it
    job.mapping = mapping or guess_mapping(importer.columns, table.header, saved_mapping(school, kind))
    problems = mapping_problems(importer.columns, job.mapping, table.header)
    problems += importer.mapping_rules(job.mapping)
    job.problems = [list(p) for p in problems]
    job.status = ImportStatus.MAPPING if problems else ImportStatus.RUNNING
    job.save()
    return job


def spreadsheet_import(*, school, kind, raw, file_name, by, commit, mapping=None, options=None, today=None):
    """Import a spreadsheet in one go (no page to choose columns on: unknown columns reject it)."""
    job = spreadsheet_job(
        school=school, kind=kind, raw=raw, file_name=file_name, by=by, mapping=mapping, options=options
    )
    if job.status == ImportStatus.MAPPING:
        job_reject(job, job.problems)
        job.save()
        return job
    if job.status == ImportStatus.REJECTED:
        return job
    return job_run(job=job, commit=commit, today=today)
