"""Who owns a flag: heads of department, key-stage coordinators, heads of year, form tutors, and the
leads the policies name for global underachievement (an assistant headteacher, a raising
achievement coordinator), who may lead one key stage or all of them.

Loaded once per run (two queries) so routing thousands of flags costs dictionary lookups.
Where several people hold a role, the longest-serving record (lowest id) is the owner.
"""

from tracking.models import FormGroup, Role, StaffRole

from .models import Owner, Scope

DEFAULT_OWNER = {
    Scope.SUBJECT: Owner.HEAD_OF_DEPARTMENT,
    Scope.KEY_STAGE: Owner.KS_COORDINATOR,
    Scope.FORM_TUTOR: Owner.FORM_TUTOR,
}
LEADS = {Owner.ASSISTANT_HEAD: Role.ASSISTANT_HEAD, Owner.RAISING_ACHIEVEMENT: Role.RAISING_ACHIEVEMENT}


class Routing:
    def __init__(self, school):
        self.hod, self.hoy, self.ks = {}, {}, {}
        # {role: {key stage or None (every key stage): staff id}}
        self.leads = {Role.ASSISTANT_HEAD: {}, Role.RAISING_ACHIEVEMENT: {}}
        roles = (
            StaffRole.objects.filter(
                staff__school=school,
                role__in=[Role.HEAD_OF_DEPARTMENT, Role.HEAD_OF_YEAR, *self.leads],
            )
            .order_by("pk")
            .values_list("staff_id", "role", "department_id", "year_group_id", "key_stage")
        )
        for staff_id, role, department_id, year_group_id, key_stage in roles:
            if role == Role.HEAD_OF_DEPARTMENT and department_id:
                self.hod.setdefault(department_id, staff_id)
            elif role == Role.HEAD_OF_YEAR:
                if year_group_id:
                    self.hoy.setdefault(year_group_id, staff_id)
                if key_stage:
                    self.ks.setdefault(key_stage, staff_id)
            elif role in self.leads:
                self.leads[role].setdefault(key_stage or None, staff_id)
        self.tutor = {}
        links = (
            FormGroup.tutors.through.objects.filter(
                formgroup__school=school, formgroup__academic_year__is_current=True
            )
            .order_by("pk")
            .values_list("formgroup_id", "staff_id")
        )
        for form_id, staff_id in links:
            self.tutor.setdefault(form_id, staff_id)

    def owner_for(self, owner, *, department_id=None, year_group_id=None, key_stage=None, form_id=None):
        """The Staff id who owns a flag routed to `owner`, or None when nobody holds the role."""
        if owner == Owner.HEAD_OF_DEPARTMENT:
            return self.hod.get(department_id)
        if owner == Owner.KS_COORDINATOR:
            return self.ks.get(key_stage) or self.hoy.get(year_group_id)
        if owner == Owner.HEAD_OF_YEAR:
            return self.hoy.get(year_group_id) or self.ks.get(key_stage)
        if owner == Owner.FORM_TUTOR:
            return self.tutor.get(form_id)
        lead = LEADS.get(owner)
        if lead is not None:
            leads = self.leads[lead]
            # Nobody in the role: the head of year keeps the flag from going unowned.
            return (
                leads.get(key_stage)
                or leads.get(None)
                or self.hoy.get(year_group_id)
                or self.ks.get(key_stage)
            )
        return None
