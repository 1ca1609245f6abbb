"""Validators and field options shared by the reader revenue models."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator, URLValidator
from django.db import models

from newsroom.fundraising import donations

web_url = URLValidator(schemes=["http", "https"])
currency_code = RegexValidator(
    r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code in capitals, such as USD."
)
MONEY = {
    "max_digits": donations.MONEY_DIGITS,
    "decimal_places": donations.MONEY_PLACES,
}
POSITIVE_MONEY = [MinValueValidator(Decimal("0.01"))]


class Frequency(models.TextChoices):
    ONE_TIME = "one_time", "One-time"
    MONTHLY = "monthly", "Monthly"


def net_amount(prefix=""):
    """What a gift still counts for: nothing if disputed, else what was not refunded.

    `prefix` reaches the gift through a relation ("donations__" from a campaign).
    """
    return models.Case(
        models.When(**{f"{prefix}disputed": True}, then=models.Value(Decimal("0"))),
        default=models.F(f"{prefix}amount") - models.F(f"{prefix}refunded"),
        output_field=models.DecimalField(**MONEY),
    )
