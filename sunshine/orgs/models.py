"""Organisations (bureau → departments, bureau → schools), people's roles in them,
and school terms.

Nothing here assumes a single district: every bureau carries its administrative
region code, a bureau may sit under a higher bureau (city, province), and every
query for "the district" starts from a bureau, never from a global.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    class Kind(models.TextChoices):
        BUREAU = "bureau", _("bureau")
        DEPARTMENT = "department", _("department")
        SCHOOL = "school", _("school")

    class Level(models.TextChoices):
        KINDERGARTEN = "kindergarten", _("kindergarten")
        PRIMARY = "primary", _("primary school")
        JUNIOR = "junior", _("junior secondary school")
        SENIOR = "senior", _("senior secondary school")
        VOCATIONAL = "vocational", _("vocational school")
        NINE_YEAR = "nine_year", _("nine-year school")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("public")
        PRIVATE = "private", _("private")

    COMPULSORY_LEVELS = frozenset({Level.PRIMARY, Level.JUNIOR, Level.NINE_YEAR})

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of primary keys ("/1/4/17/") for subtree queries at any scale.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, blank=True)
    ownership = models.CharField(_("ownership"), max_length=8, choices=Ownership.choices, blank=True)
    boarding = models.BooleanField(_("boarding"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    hotline = models.CharField(_("hotline"), max_length=32, blank=True)
    head_name = models.CharField(_("head / principal"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The bureau's designated FOI office (政府信息公开工作机构), set by the system
    # administrator: its staff alone handle the bureau's FOI requests (with the leaders).
    handles_foi = models.BooleanField(
        _("FOI office"),
        default=False,
        help_text=_("This department receives and answers the bureau's requests for government information."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="school", level__gt="", ownership__gt="") | ~Q(kind="school"),
                name="orgs_school_has_level_and_ownership",
            ),
            models.CheckConstraint(
                condition=Q(kind="bureau") | Q(parent__isnull=False),
                name="orgs_only_bureau_is_root",
            ),
            models.CheckConstraint(
                condition=Q(kind="department") | Q(handles_foi=False),
                name="orgs_foi_office_is_a_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        new_path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if new_path != self.path:
            old_path = self.path
            self.path = new_path
            Organization.objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                # Move the subtree along with this node.
                for child in Organization.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = new_path + child.path[len(old_path) :]
                    Organization.objects.filter(pk=child.pk).update(path=child.path)

    def clean(self) -> None:
        if self.kind in (self.Kind.DEPARTMENT, self.Kind.SCHOOL) and (
            self.parent is None or self.parent.kind != self.Kind.BUREAU
        ):
            raise ValidationError({"parent": _("A department or school must belong to a bureau.")})
        if self.kind == self.Kind.BUREAU and self.parent is not None and self.parent.kind != self.Kind.BUREAU:
            raise ValidationError({"parent": _("A bureau can only sit under a higher bureau.")})
        if self.handles_foi and self.kind != self.Kind.DEPARTMENT:
            raise ValidationError({"handles_foi": _("Only a department of the bureau can be its FOI office.")})
        if self.kind == self.Kind.SCHOOL and not (self.level and self.ownership):
            raise ValidationError(_("A school needs its level and ownership."))
        if self.pk and self.parent is not None and f"/{self.pk}/" in self.parent.path:
            raise ValidationError({"parent": _("An organisation cannot sit under itself.")})

    @property
    def is_compulsory(self) -> bool:
        """Compulsory education (FEE-1): primary, junior and nine-year schools."""
        return self.kind == self.Kind.SCHOOL and self.level in self.COMPULSORY_LEVELS

    def ancestors(self) -> models.QuerySet[Organization]:
        """The organisations above this one, nearest last (path order)."""
        ids = [int(part) for part in self.path.strip("/").split("/") if part][:-1]
        return Organization.objects.filter(pk__in=ids).order_by("path")

    def subtree(self) -> models.QuerySet[Organization]:
        """This organisation and every one below it."""
        return Organization.objects.filter(path__startswith=self.path)

    @property
    def bureau(self) -> Organization:
        """The nearest bureau at or above this organisation."""
        if self.kind == self.Kind.BUREAU:
            return self
        if self.parent is None:
            raise ValueError(f"{self} has no bureau above it")
        return self.parent.bureau


class Role(models.TextChoices):
    """Roles people hold in an organisation. A member of the public holds none."""

    SCHOOL_CLERK = "school_clerk", _("school clerk")
    PRINCIPAL = "principal", _("principal")
    DEPARTMENT_STAFF = "department_staff", _("department staff")
    DISCIPLINE_INSPECTOR = "discipline_inspector", _("discipline inspector")
    FEE_REVIEWER = "fee_reviewer", _("fee reviewer")
    SUPERVISOR = "supervisor", _("social supervisor")
    LEADER = "leader", _("leader")
    SYSTEM_ADMIN = "system_admin", _("system administrator")
    SECURITY_ADMIN = "security_admin", _("security administrator")
    AUDIT_ADMIN = "audit_admin", _("audit administrator")


# 三员分立: one person never holds two of these, nor any other role with them.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The roles that do the bureau's work: handle cases, review fees, supervise, lead. An
# administrator never holds one of them (they would see what they administer).
OPERATIONAL_ROLES = frozenset(Role) - SEPARATED_ADMIN_ROLES
# The roles that do a unit's own work: the unit's supervised items, their notices and
# reminders reach them. A social supervisor watches the unit from outside; an
# administrator administers it.
UNIT_WORK_ROLES = OPERATIONAL_ROLES - {Role.SUPERVISOR}
# The roles that may open a reporter's identity (PET-9's custodians; petitions.access
# decides where): granting one takes a second person's approval.
IDENTITY_ROLES = frozenset({Role.DISCIPLINE_INSPECTOR, Role.LEADER})
# Which kinds of organisation each role may be held in.
ROLE_ORG_KINDS: dict[str, frozenset[str]] = {
    Role.SCHOOL_CLERK: frozenset({Organization.Kind.SCHOOL}),
    Role.PRINCIPAL: frozenset({Organization.Kind.SCHOOL}),
    Role.DEPARTMENT_STAFF: frozenset({Organization.Kind.DEPARTMENT}),
    Role.DISCIPLINE_INSPECTOR: frozenset({Organization.Kind.DEPARTMENT, Organization.Kind.BUREAU}),
    Role.FEE_REVIEWER: frozenset({Organization.Kind.DEPARTMENT, Organization.Kind.BUREAU}),
    Role.SUPERVISOR: frozenset({Organization.Kind.BUREAU}),
    Role.LEADER: frozenset({Organization.Kind.BUREAU, Organization.Kind.DEPARTMENT, Organization.Kind.SCHOOL}),
    Role.SYSTEM_ADMIN: frozenset({Organization.Kind.BUREAU}),
    Role.SECURITY_ADMIN: frozenset({Organization.Kind.BUREAU}),
    Role.AUDIT_ADMIN: frozenset({Organization.Kind.BUREAU}),
}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("title"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A grant of an identity role waits (inactive, pending) for a second person's approval.
    pending = models.BooleanField(_("awaiting approval"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="orgs_membership_unique"),
            models.CheckConstraint(condition=Q(pending=False) | Q(is_active=False), name="orgs_pending_is_inactive"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"

    def clean(self) -> None:
        allowed = ROLE_ORG_KINDS.get(self.role, frozenset())
        if self.organization_id and self.organization.kind not in allowed:
            raise ValidationError({"role": _("This role cannot be held in this kind of organisation.")})


class Term(models.Model):
    """A school term of one bureau's schools, with its registration date (FEE-5)."""

    class Season(models.TextChoices):
        SPRING = "spring", _("spring term")
        AUTUMN = "autumn", _("autumn term")

    bureau = models.ForeignKey(
        Organization,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="terms",
        limit_choices_to={"kind": Organization.Kind.BUREAU},
    )
    school_year = models.CharField(_("school year"), max_length=9, help_text="2026-2027")
    season = models.CharField(_("season"), max_length=8, choices=Season.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    registration_date = models.DateField(_("registration date"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "school_year", "season"], name="orgs_term_unique"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="orgs_term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.get_season_display()}"

    def clean(self) -> None:
        if self.ends_on and self.registration_date and self.registration_date > self.ends_on:
            raise ValidationError({"registration_date": _("Registration must fall before the term ends.")})
