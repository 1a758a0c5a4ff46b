"""Authority-table vocabulary and the typed schemas behind its JSON columns.

A row's `steps` is an ordered list of step codes; its `condition` is reserved for the forms
engine's condition language (issue 5): stored and validated as null or an object, never
evaluated here yet.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator


class Step(models.TextChoices):
    """Steps in route order. The order here is the only order a route may take."""

    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    COMMUNITY_COMMITTEE = "community_committee", _("Community committee countersign")
    STREET_REVIEWER = "street_reviewer", _("Street reviewer")
    STREET_LEADER = "street_leader", _("Street leader")


STEP_ORDER = [s.value for s in Step]


class StepList(RootModel[list[Step]]):
    root: list[Step] = Field(min_length=1)

    @field_validator("root")
    @classmethod
    def in_route_order(cls, value: list[Step]) -> list[Step]:
        codes = [s.value if hasattr(s, "value") else s for s in value]
        if len(set(codes)) != len(codes):
            raise ValueError("a step may appear only once")
        if codes != sorted(codes, key=STEP_ORDER.index):
            raise ValueError("steps must follow the order secretary, committee, street reviewer, street leader")
        return value


class RowCondition(BaseModel):
    """Placeholder for the forms condition engine: an expression tree, not evaluated yet."""

    model_config = ConfigDict(extra="forbid")

    expression: dict | list | str | None = None
    description: str = ""


class PolicyRowIn(BaseModel):
    """One authority-table row as written through the admin page or the API."""

    model_config = ConfigDict(extra="forbid")

    category: str = ""  # "" means any category
    amount_above: Decimal = Decimal("0")
    amount_upto: Decimal | None = None  # None means no upper limit
    steps: StepList
    condition: RowCondition | None = None
