from .assessment import AssessmentPoint, GradeEntry, Security, SheetReopen
from .audit import AuditEvent
from .curriculum import Category, GradeScale, GradeValue, Qualification, Subject, TeachingGroup
from .people import (
    Department,
    Gender,
    Guardian,
    GuardianLink,
    PriorBand,
    Pupil,
    Role,
    SenStatus,
    Staff,
    StaffRole,
    User,
    prior_band_for,
)
from .school import AcademicYear, FormGroup, HalfTerm, School, YearGroup, key_stage_for
from .targets import Target, TargetSource, TargetStatus

__all__ = [
    "AcademicYear",
    "AssessmentPoint",
    "AuditEvent",
    "Category",
    "Department",
    "FormGroup",
    "Gender",
    "GradeEntry",
    "GradeScale",
    "GradeValue",
    "Guardian",
    "GuardianLink",
    "HalfTerm",
    "PriorBand",
    "Pupil",
    "Qualification",
    "Role",
    "School",
    "Security",
    "SenStatus",
    "SheetReopen",
    "Staff",
    "StaffRole",
    "Subject",
    "Target",
    "TargetSource",
    "TargetStatus",
    "TeachingGroup",
    "User",
    "YearGroup",
    "key_stage_for",
    "prior_band_for",
]
