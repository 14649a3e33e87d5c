"""REST API of the registry (``/api/v1/registry/...``): premises, owners, personal accounts.

The same access as the pages: anonymous → 401, a role that does not open the resource → 403,
an object outside the caller's scope → 404 (querysets come from ``selectors.*_visible_to``).
Reading: the board everything; owners and residents their own premises and accounts; owners
their own owner records; the accountant accounts. Writing (create, update): the board only,
through the same services as the pages (validated and audited there).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.pagination import PageNumberPagination

from core.access.api import HasRole
from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES, REGISTRY_EDITORS, Role, has_role
from core.sensitive import sensitive_post
from tenants.residents import selectors, services
from tenants.residents.models import (
    Building,
    DocumentKind,
    Holding,
    OwnerKind,
    Ownership,
    PersonalAccount,
    Premises,
    PremisesKind,
)
from tenants.residents.services import PREMISES_FIELDS
from tenants.residents.validators import (
    MAX_SHARE_TEXT,
    format_share,
    parse_share,
    validate_inn,
    validate_ogrn,
    validate_phone,
)


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^(\d{1,9}([.,]\d{1,9})?|\d{1,9}/\d{1,9})$",
        "maxLength": MAX_SHARE_TEXT,
        "example": "1/3",
        "description": "An exact share: a fraction like 1/3, or a decimal like 0.5.",
    }
)
class ShareField(serializers.Field):
    """An exact share as text: ``"1/3"``, ``"1"``, ``"0.5"`` (no exponents, at most 30 chars)."""

    default_error_messages = {
        "invalid": _("Write the share as a fraction like 1/3."),
        "max_length": _("Ensure this field has no more than {max_length} characters."),
    }

    def __init__(self, *, max_length: int = MAX_SHARE_TEXT, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return format_share(value)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("invalid")
        if len(str(data)) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        try:
            return parse_share(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


def _inline_enum(choices) -> dict:
    """An enum described in place: ``kind`` means different choice sets on different
    resources, and a shared enum component named after the field would mix them up."""
    return {"allOf": [{"type": "string", "enum": [value for value, _label in choices]}]}


@extend_schema_field(_inline_enum(OwnerKind.choices))
class OwnerKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=OwnerKind.choices, **kwargs)


@extend_schema_field(_inline_enum(PremisesKind.choices))
class PremisesKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=PremisesKind.choices, **kwargs)


@sensitive_post
class RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    pagination_class = Pages
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


# -- premises -----------------------------------------------------------------------------------


class PremisesSerializer(serializers.ModelSerializer):
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all())
    building_name = serializers.CharField(source="building.name", read_only=True)
    accounts = serializers.SerializerMethodField()
    shares_total = serializers.SerializerMethodField()
    shares_complete = serializers.SerializerMethodField()
    account_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=32
    )

    class Meta:
        model = Premises
        fields = [
            "id",
            *PREMISES_FIELDS,
            "building_name",
            "accounts",
            "shares_total",
            "shares_complete",
            "account_number",
        ]
        # Uniqueness is checked by the service, with a message naming the field.
        validators: list = []

    def get_accounts(self, obj) -> list[str]:
        return [account.number for account in obj.accounts.all()]

    def get_shares_total(self, obj) -> str:
        return format_share(getattr(obj, "shares_total_value", 0))

    def get_shares_complete(self, obj) -> bool:
        return getattr(obj, "shares_total_value", 0) == 1

    def create(self, validated_data):
        return services.create_premises(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("account_number", None)
        return services.update_premises(
            instance, actor=self.context["request"].user, **validated_data
        )


class PremisesViewSet(RegistryViewSet):
    """Premises: the board all of them; an owner or resident their own."""

    serializer_class = PremisesSerializer
    permission_classes = [HasRole.of(*REGISTRY_EDITORS, *MEMBER_ROLES, write=REGISTRY_EDITORS)]

    def get_queryset(self):
        # The account numbers listed are those the caller may open (an owner: the ones they
        # hold; a resident: those of their home; the board: all).
        accounts = selectors.accounts_visible_to(self.request.user).order_by("number")
        return (
            selectors.premises_visible_to(self.request.user)
            .select_related("building")
            .prefetch_related(Prefetch("accounts", accounts))
            .order_by("building__name", "kind", "number")
        )

    @staticmethod
    def _with_totals(premises: list) -> list:
        totals = selectors.shares_totals([p.pk for p in premises])
        for item in premises:
            item.shares_total_value = totals.get(item.pk, 0)
        return premises

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else self._with_totals(list(page))

    def get_object(self):
        return self._with_totals([super().get_object()])[0]


# -- owners -------------------------------------------------------------------------------------


class OwnershipSerializer(serializers.ModelSerializer):
    share = ShareField(read_only=True)
    # Declared: a read-only model field loses ``allow_blank``, and the schema then refused the
    # empty kind of an ownership entered without its document.
    document_kind = serializers.ChoiceField(
        choices=DocumentKind.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Ownership
        fields = [
            "id",
            "premises",
            "share",
            "started_on",
            "ended_on",
            "document_kind",
            "document_number",
            "document_date",
            "egrn_record",
        ]
        read_only_fields = fields


class OwnerSerializer(serializers.Serializer):
    """An owner; personal fields are empty once the holding's data was erased."""

    id = serializers.UUIDField(read_only=True)
    kind = OwnerKindField(default=OwnerKind.PERSON)
    full_name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    primary_phone = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, validators=[validate_phone]
    )
    primary_email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    organisation_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    inn = serializers.CharField(
        required=False, allow_blank=True, max_length=12, validators=[validate_inn]
    )
    ogrn = serializers.CharField(
        required=False, allow_blank=True, max_length=15, validators=[validate_ogrn]
    )
    is_member = serializers.BooleanField(required=False)
    member_since = serializers.DateField(required=False, allow_null=True)
    # An owner without a login of their own: null.
    user = serializers.UUIDField(source="user_id", read_only=True, allow_null=True)
    erased = serializers.SerializerMethodField()
    ownerships = OwnershipSerializer(many=True, read_only=True)
    # Creation only: the share of which premises, under which account's current holder.
    premises = serializers.PrimaryKeyRelatedField(
        queryset=Premises.objects.all(), write_only=True, required=False
    )
    account = serializers.PrimaryKeyRelatedField(
        queryset=PersonalAccount.objects.all(), write_only=True, required=False
    )
    share = ShareField(write_only=True, required=False)
    started_on = serializers.DateField(write_only=True, required=False)
    document_kind = serializers.ChoiceField(
        choices=DocumentKind.choices, write_only=True, required=False, allow_blank=True
    )
    document_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=60
    )
    document_date = serializers.DateField(write_only=True, required=False, allow_null=True)
    egrn_record = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=60
    )

    def get_erased(self, obj) -> bool:
        return obj.holding.erased_at is not None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.kind == OwnerKind.ORGANISATION:
            data.update(full_name=None, primary_phone=None, primary_email=None)
        return data

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", OwnerKind.PERSON))
        errors = {}
        if self.instance is None:
            for name in ("premises", "share", "started_on"):
                if name not in attrs:
                    errors[name] = [_("This field is required.")]
            if kind == OwnerKind.PERSON and not (attrs.get("full_name") or "").strip():
                errors["full_name"] = [_("Enter the owner's full name.")]
            if kind == OwnerKind.ORGANISATION:
                if not attrs.get("organisation_name"):
                    errors["organisation_name"] = [_("Enter the organisation's name.")]
                if not attrs.get("inn"):
                    errors["inn"] = [_("Enter the organisation's ИНН.")]
        elif "kind" in attrs and attrs["kind"] != self.instance.kind:
            errors["kind"] = [_("The kind of an owner cannot be changed.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    @staticmethod
    def _person(attrs) -> dict:
        person = {}
        if "full_name" in attrs:
            person["full_name"] = (attrs["full_name"] or "").strip() or None
        for name in ("primary_phone", "primary_email"):
            if name in attrs:
                value = (attrs[name] or "").strip()
                person[name] = (value.lower() if name == "primary_email" else value) or None
        return person

    @staticmethod
    def _membership(attrs, owner=None) -> dict:
        membership = {}
        for name in ("is_member", "member_since"):
            if name in attrs:
                membership[name] = attrs[name]
        return membership

    def create(self, validated_data):
        premises = validated_data["premises"]
        account = validated_data.get("account")
        accounts = PersonalAccount.objects.filter(premises=premises).order_by("number")
        if account is None:
            account = accounts.first()
        if account is None or account.premises_id != premises.pk:
            raise serializers.ValidationError(
                {"account": [_("Choose a personal account of these premises.")]}
            )
        holding = services.current_holding(account)
        if holding is None:
            raise serializers.ValidationError(
                {"account": [_("This account has no current holder.")]}
            )
        organisation = None
        if validated_data.get("kind") == OwnerKind.ORGANISATION:
            organisation = {
                "name": validated_data.get("organisation_name", ""),
                "inn": validated_data.get("inn", ""),
                "ogrn": validated_data.get("ogrn", ""),
            }
        document = {
            name: validated_data[name]
            for name in ("document_kind", "document_number", "document_date", "egrn_record")
            if validated_data.get(name) is not None
        }
        return services.add_owner(
            holding,
            premises=premises,
            share=validated_data["share"],
            started_on=validated_data["started_on"],
            person=None if organisation else self._person(validated_data),
            organisation=organisation,
            document=document,
            membership=self._membership(validated_data),
            actor=self.context["request"].user,
        )

    def update(self, instance, validated_data):
        organisation = None
        if instance.kind == OwnerKind.ORGANISATION:
            organisation = {
                key: validated_data[name]
                for key, name in (("name", "organisation_name"), ("inn", "inn"), ("ogrn", "ogrn"))
                if name in validated_data
            }
        return services.update_owner(
            instance,
            person=None if organisation is not None else self._person(validated_data),
            organisation=organisation,
            membership=self._membership(validated_data),
            actor=self.context["request"].user,
        )


class OwnerViewSet(RegistryViewSet):
    """Owners: the board all of them; an owner their own owner records."""

    serializer_class = OwnerSerializer
    permission_classes = [HasRole.of(*REGISTRY_EDITORS, Role.OWNER, write=REGISTRY_EDITORS)]

    def get_queryset(self):
        return (
            selectors.owners_visible_to(self.request.user)
            .select_related("holding")
            .prefetch_related(Prefetch("ownerships", Ownership.objects.order_by("-started_on")))
            .order_by("id")
        )


# -- personal accounts --------------------------------------------------------------------------


class AccountSerializer(serializers.ModelSerializer):
    premises = serializers.PrimaryKeyRelatedField(
        queryset=Premises.objects.all(), required=False, allow_null=True
    )
    premises_number = serializers.CharField(
        source="premises.number", read_only=True, allow_null=True, default=None
    )
    premises_kind = PremisesKindField(
        source="premises.kind", read_only=True, allow_null=True, default=None
    )
    # None for an account without premises (found by tests/fuzz: the keys were left out, and the
    # schema requires them).
    building_name = serializers.CharField(
        source="premises.building.name", read_only=True, allow_null=True, default=None
    )
    holder_name = serializers.SerializerMethodField()
    holder_since = serializers.SerializerMethodField()
    # Creation only: the first holder.
    started_on = serializers.DateField(write_only=True, required=False)
    full_name = serializers.CharField(write_only=True, required=False, allow_blank=True)
    primary_phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, validators=[validate_phone]
    )
    primary_email = serializers.EmailField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = PersonalAccount
        fields = [
            "id",
            "number",
            "premises",
            "premises_number",
            "premises_kind",
            "building_name",
            "holder_name",
            "holder_since",
            "started_on",
            "full_name",
            "primary_phone",
            "primary_email",
        ]
        validators: list = []
        extra_kwargs = {"number": {"validators": []}}

    def _current(self, obj) -> Holding | None:
        holdings = getattr(obj, "current_holdings", None)
        if holdings is None:
            holdings = list(obj.holdings.filter(ended_on__isnull=True))
        return holdings[0] if holdings else None

    def get_holder_name(self, obj) -> str | None:
        """Only for the board and the accountant (a resident sees no holder's name)."""
        if not self.context.get("sees_holders"):
            return None
        holding = self._current(obj)
        return holding.full_name if holding else None

    def get_holder_since(self, obj) -> datetime.date | None:
        holding = self._current(obj)
        return holding.started_on if holding else None

    def create(self, validated_data):
        holder = {}
        if validated_data.get("full_name"):
            holder["full_name"] = validated_data["full_name"].strip()
        if validated_data.get("primary_phone"):
            holder["phones"] = [validated_data["primary_phone"].strip()]
        if validated_data.get("primary_email"):
            holder["emails"] = [validated_data["primary_email"].strip().lower()]
        account, _holding = services.open_account(
            number=validated_data["number"],
            holder=holder,
            started_on=validated_data.get("started_on") or datetime.date.today(),
            premises=validated_data.get("premises"),
            actor=self.context["request"].user,
        )
        return account

    def _changes(self, instance, validated_data) -> set[str]:
        """The fields whose value differs from the account's (a PUT sends them all)."""
        holding = self._current(instance)
        current = {
            "premises": instance.premises_id,
            "started_on": holding.started_on if holding else None,
            "full_name": (holding.full_name or "") if holding else "",
            "primary_phone": ((holding.phones or [""])[0] or "") if holding else "",
            "primary_email": ((holding.emails or [""])[0] or "") if holding else "",
        }
        changed = set()
        for name, value in validated_data.items():
            if name == "number":
                continue
            if name == "premises":
                value = value.pk if value is not None else None
            elif name in ("full_name", "primary_phone", "primary_email"):
                value = (value or "").strip()
                if name == "primary_email":
                    value, current[name] = value.lower(), current[name].lower()
                if not value:
                    continue  # an empty holder field changes nothing
            if value != current.get(name):
                changed.add(name)
        return changed

    def update(self, instance, validated_data):
        unexpected = self._changes(instance, validated_data)
        if unexpected:
            raise serializers.ValidationError(
                {name: [_("Only the account number can be changed.")] for name in unexpected}
            )
        if "number" in validated_data:
            instance = services.renumber_account(
                instance, number=validated_data["number"], actor=self.context["request"].user
            )
        return instance


class AccountViewSet(RegistryViewSet):
    """Personal accounts: the board and the accountant all; owners and residents their own."""

    serializer_class = AccountSerializer
    permission_classes = [HasRole.of(*ACCOUNT_READERS, *MEMBER_ROLES, write=REGISTRY_EDITORS)]

    def get_queryset(self):
        return selectors.with_current_holders(
            selectors.accounts_visible_to(self.request.user)
            .select_related("premises__building")
            .order_by("number")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["sees_holders"] = has_role(self.request.user, *ACCOUNT_READERS)
        return context
