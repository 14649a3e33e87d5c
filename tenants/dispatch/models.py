"""The dispatch desk: members' repair requests and complaints, their history, suppliers, deadlines.

Key layout (ARCHITECTURE.md, data protection; ``docs/dispatch.md``):

* A member's **request** (``Request`` with an ``author``) is theirs: what they write (the
  description, where exactly, when to come, their phone, their rating's comment) and the photos
  they attach are encrypted under the key of their personal account's holding (``holding``),
  whether it is about their flat or the stairwell. Erasing that holder shreds them; the
  request's number, status, category, urgency, dates, supplier and cost stay (they are the
  association's records of work done).
* A **collective** request (``is_collective``) is made by the dispatcher by merging duplicates;
  its shared description is written by the dispatcher under the association's key. The members'
  own requests point to it (``collective``) and keep their own text and photos, which the other
  members on it never see.
* Statuses, categories, urgencies, dates, costs and ratings are plain: counted in reports.
* A **supplier**'s contacts are the association's data (its key), read only by the desk.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.crypto import keyring
from core.crypto.fields import EncryptedModel, EncryptedTextField


class RequestKind(models.TextChoices):
    REPAIR = "repair", _("Repair request")
    COMPLAINT = "complaint", _("Complaint")


class Category(models.TextChoices):
    """What a request is about. A fixed list (the SLA table, the classifier and the analytics
    key on it); ``other`` catches the rest."""

    PLUMBING = "plumbing", _("Water supply and sewerage")
    HEATING = "heating", _("Heating")
    ELECTRICITY = "electricity", _("Electricity and lighting")
    ELEVATOR = "elevator", _("Elevator")
    ROOF = "roof", _("Roof and leaks")
    DOORS = "doors", _("Doors, locks and intercom")
    CLEANING = "cleaning", _("Cleaning and rubbish")
    TERRITORY = "territory", _("Yard and territory")
    BUILDING = "building", _("Walls, windows and stairwells")
    NOISE = "noise", _("Noise and order")
    OTHER = "other", pgettext_lazy("category", "Other")


class Place(models.TextChoices):
    PREMISES = "premises", _("My premises")
    COMMON = "common", _("Common area of a building")
    TERRITORY = "territory", _("The territory")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


#: Most urgent first (a merged request takes the most urgent of its members).
URGENCY_ORDER = (Urgency.EMERGENCY, Urgency.URGENT, Urgency.NORMAL)


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("request", "New")
    ASSIGNED = "assigned", pgettext_lazy("request", "Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("request", "In progress")
    ON_HOLD = "on_hold", pgettext_lazy("request", "On hold")
    DONE = "done", pgettext_lazy("request", "Done")
    CLOSED = "closed", pgettext_lazy("request", "Closed")
    REOPENED = "reopened", pgettext_lazy("request", "Reopened")
    REJECTED = "rejected", pgettext_lazy("request", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("request", "Cancelled")
    MERGED = "merged", pgettext_lazy("request", "Merged")


#: Statuses in which the work is still owed (the queue, deadlines, overdue).
OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD, Status.REOPENED}
)
#: Statuses after which nothing more happens unless the member reopens.
FINISHED_STATUSES = frozenset({Status.DONE, Status.CLOSED})


class Request(EncryptedModel):
    """A repair request or complaint of a member, or a collective one the dispatcher made."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=RequestKind.choices, default=RequestKind.REPAIR
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    #: What the classifier (or the keyword rules) suggested when the request came in.
    suggested_category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    #: The desk confirmed (or corrected) the category: the classifier learns from these.
    category_confirmed_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(_("place"), max_length=12, choices=Place.choices)
    premises = models.ForeignKey(
        "residents.Premises",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("premises"),
    )
    building = models.ForeignKey(
        "residents.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
        db_index=False,
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    #: Whose key protects the member's text (their personal account's holding); None for a
    #: collective request (the association's key).
    holding = models.ForeignKey(
        "residents.Holding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The member's words, or a collective request's shared description (the dispatcher's).
    description = EncryptedTextField(_("description"), null=True)
    #: Where exactly (entrance, floor, which pipe): the member's words.
    location_note = EncryptedTextField(_("where exactly"), null=True)
    access_time = EncryptedTextField(_("convenient time for access"), null=True)
    contact_phone = EncryptedTextField(_("phone"), null=True)
    #: The member agreed, when filing, that the contractor sees their phone on the work order.
    share_phone = models.BooleanField(_("share my phone with the contractor"), default=False)
    #: The job as the dispatcher words it for the work order (never the member's own text).
    work_description = EncryptedTextField(_("work to do"), null=True)
    is_collective = models.BooleanField(default=False)
    collective = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="joined",
        verbose_name=_("collective request"),
    )
    supplier = models.ForeignKey(
        "Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("supplier"),
        db_index=False,
    )
    cost = models.DecimalField(_("cost, ₽"), max_digits=12, decimal_places=2, null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    #: The reminder before the deadline and the escalation after it (once each per deadline).
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = EncryptedTextField(_("comment on the work"), null=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-filed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="dispatch_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0),
                name="dispatch_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(is_collective=False) | Q(author__isnull=True, holding__isnull=True),
                name="dispatch_collective_has_no_author",
            ),
            models.CheckConstraint(
                condition=Q(collective__isnull=True) | Q(status="merged"),
                name="dispatch_merged_points_to_collective",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # The desk's queue: open requests in deadline order, read a page at a time.
            models.Index(
                fields=["due_at", "filed_at", "number"],
                condition=Q(status__in=["new", "assigned", "in_progress", "on_hold", "reopened"]),
                name="dispatch_open_queue",
            ),
            models.Index(fields=["author", "filed_at"]),
            models.Index(fields=["category", "filed_at"]),
            models.Index(fields=["building", "filed_at"]),
            models.Index(fields=["supplier", "filed_at"]),
        ]

    def __str__(self) -> str:
        return f"Request {self.number}"

    def encryption_key_name(self) -> str:
        if self.holding_id:
            return keyring.holding_key(self.holding_id)
        return keyring.association_key()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventAction(models.TextChoices):
    FILED = "filed", _("Filed")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned to a supplier")
    CLASSIFIED = "classified", _("Category confirmed")
    MERGED = "merged", _("Merged into a collective request")
    JOINED = "joined", _("Requests joined")
    COMMENTED = "commented", _("Comment")
    PHOTOS = "photos", _("Photos added")
    RATED = "rated", _("Rated")
    REMINDED = "reminded", _("Deadline reminder")
    ESCALATED = "escalated", _("Deadline missed: escalated")
    ERASED = "erased", _("Member's text erased")


#: Events only the desk sees in a request's history.
DESK_ONLY_EVENTS = frozenset({EventAction.REMINDED, EventAction.ESCALATED, EventAction.CLASSIFIED})


class Event(models.Model):
    """One line of a request's history. No free text: statuses, ids and figures only (what
    people wrote is in ``Comment``, under its key)."""

    id = models.BigAutoField(primary_key=True)
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The actor acted from the desk (a member sees "the dispatcher", never a name).
    by_desk = models.BooleanField(default=False)
    action = models.CharField(max_length=12, choices=EventAction.choices)
    status_from = models.CharField(max_length=12, choices=Status.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=Status.choices, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"Event {self.pk}"


class Comment(EncryptedModel):
    """A comment on a request: the member's and the desk's replies on the member's own request
    (under the member's holding key), or the desk's word to everyone on a collective request
    (the association's key)."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_desk = models.BooleanField(default=False)
    holding = models.ForeignKey(
        "residents.Holding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = EncryptedTextField(_("comment"), null=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk}"

    def encryption_key_name(self) -> str:
        if self.holding_id:
            return keyring.holding_key(self.holding_id)
        return keyring.association_key()


class Photo(models.Model):
    """A photo attached to a member's request (a private file under their holding's key)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="photos")
    file = models.ForeignKey("files.StoredFile", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return f"Photo {self.pk}"


class SlaRule(models.Model):
    """How many hours the work of a category and urgency may take, from ``valid_from`` until the
    next row of the same pair (the board edits it; the defaults are in ``sla.DEFAULT_HOURS``).
    Emergency and urgent hours run round the clock; normal hours are working hours (see
    ``sla.deadline`` and docs/dispatch.md)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices)
    hours = models.PositiveIntegerField(_("hours"))
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["category", "urgency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "urgency", "valid_from"], name="dispatch_unique_sla_rule"
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=1) & Q(hours__lte=2000), name="dispatch_sla_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"SLA {self.category}/{self.urgency} {self.valid_from}"


class Supplier(EncryptedModel):
    """A supplier or contractor. Its name and ИНН are register data (plain); its contacts are
    the association's (encrypted under its key) and read only by the desk."""

    name = models.CharField(_("name"), max_length=300)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)
    #: Category codes it serves.
    categories = models.JSONField(_("categories served"), default=list, blank=True)
    contact_person = EncryptedTextField(_("contact person"), null=True)
    phone = EncryptedTextField(_("phone"), null=True)
    email = EncryptedTextField(_("email"), null=True)
    notes = EncryptedTextField(_("notes"), null=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """A contract with a supplier (number, dates, subject, amount): register data, plain."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField(_("contract number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    amount = models.DecimalField(
        _("amount, ₽"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="dispatch_contract_dates",
            )
        ]

    def __str__(self) -> str:
        return f"Contract {self.number}"


class ClassifierModel(EncryptedModel):
    """The association's category classifier: the weights of a linear model over hashed
    features (``classifier``), never a vocabulary or a word of anyone's text; sealed under the
    association's key all the same. One row per association."""

    key = models.CharField(max_length=20, unique=True, default="default")
    trained_at = models.DateTimeField()
    samples = models.PositiveIntegerField()
    classes = models.JSONField(default=list)
    #: Base64 of a NumPy ``.npz`` (no pickles): the sparse weights and the intercepts.
    weights = EncryptedTextField()

    def __str__(self) -> str:
        return f"Classifier {self.trained_at}"
