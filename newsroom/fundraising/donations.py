"""Reader revenue logic that needs no database: references, money, CSV.

Attribution references
----------------------
Donate links carry where the reader came from, and nothing about the reader:

- ``/donate/?from=<issue-slug>``: the appeal at the end of an issue;
- ``/donate/?from=<issue-slug>&story=<story-slug>``: the appeal under a story;
- ``/donate/?from=series:<series-slug>``: a series page;
- ``&via=email`` added by the email edition's links and ``&via=channel`` by
  the channel post's, each counted apart from the web.

`parse_reference` turns a query string into a `Reference` (or None when it is
missing or malformed); the models decide whether it names something public
and count it per day. No IP address, cookie or user agent is stored.

A reader counts once per issue (or series) and hour, however often they
reload: `visit_key` names the visit by a keyed hash of their address and the
day, which the view keeps only in the cache, for an hour.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.crypto import salted_hmac

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")
SERIES_PREFIX = "series:"

#: Words with which crawlers, link unfurlers and monitors announce themselves.
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|preview|archiver|facebookexternalhit|embedly"
    r"|monitor|lighthouse|pingdom|scanner",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    """What a donate link says it came from: an issue (maybe a story) or a series."""

    issue_slug: str = ""
    story_slug: str = ""
    series_slug: str = ""
    #: EMAIL or CHANNEL for the links of an edition sent out; "" on the web.
    via: str = ""

    def as_query(self):
        """The reference as the donate link's query parameters, to carry it on."""
        if self.series_slug:
            return {"from": f"{SERIES_PREFIX}{self.series_slug}"}
        query = {"from": self.issue_slug}
        if self.story_slug:
            query["story"] = self.story_slug
        if self.via:
            query["via"] = self.via
        return query


EMAIL = "email"
CHANNEL = "channel"
#: Where an issue's links go out besides the web: its email and channel post.
MEDIA = (EMAIL, CHANNEL)


def parse_reference(params):
    """The `Reference` in a query dict, or None when absent or malformed.

    An unknown `via` is ignored: the link still counts, as a web visit.
    """
    origin = params.get("from", "")
    story = params.get("story", "")
    if origin.startswith(SERIES_PREFIX):
        slug = origin.removeprefix(SERIES_PREFIX)
        if SLUG_RE.match(slug) and not story:
            return Reference(series_slug=slug)
        return None
    if not SLUG_RE.match(origin):
        return None
    if story and not SLUG_RE.match(story):
        return None
    via = params.get("via", "")
    return Reference(
        issue_slug=origin, story_slug=story, via=via if via in MEDIA else ""
    )


#: How long one reader's visits from one issue or series count as one.
VISIT_SECONDS = 60 * 60


def visit_key(address, reference, day):
    """A cache key for one reader's visit from one issue or series on `day`.

    The address is hashed with a key derived from SECRET_KEY, together with
    the day, so the key can be neither reversed nor matched to the same
    reader's key of another day.
    """
    origin = (
        f"series:{reference.series_slug}"
        if reference.series_slug
        else reference.issue_slug
    )
    if reference.via:
        origin = f"{reference.via}:{origin}"
    # The salt keeps the name this module had before the move, so keys made
    # just before a deploy still match those made just after it.
    digest = salted_hmac(
        "newsroom.donations.visit", f"{day.isoformat()}|{address}|{origin}"
    ).hexdigest()
    return f"donate:visit:{digest}"


#: How many Checkout Sessions one address may start per hour.
CHECKOUTS_PER_HOUR = 20


def checkout_key(address, now):
    """A cache key counting one address's checkouts in the hour of `now`,
    hashed as `visit_key` is, so the cache holds no address."""
    hour = now.strftime("%Y-%m-%dT%H")
    digest = salted_hmac("newsroom.donations.checkout", f"{hour}|{address}")
    return f"donate:checkout:{digest.hexdigest()}"


def is_countable_visit(headers):
    """False for self-announced bots and for browsers merely prefetching the page."""
    if BOT_RE.search(headers.get("User-Agent", "")):
        return False
    purpose = f"{headers.get('Purpose', '')} {headers.get('Sec-Purpose', '')}"
    return "prefetch" not in purpose.lower()


def tier_layout(count, phone=2, wide=4):
    """CSS classes setting how many tier cards share a row, on a phone and wider.

    All in one row when they fit; else the most columns (up to `phone` or
    `wide`) that fill every row, or at least leave no card alone on the
    last: three cards stack on a phone rather than put $100 by itself.
    """

    def columns(most):
        if count <= most:
            return max(count, 1)
        candidates = range(most, 1, -1)
        even = [n for n in candidates if count % n == 0 and n > most // 2]
        uneven = [n for n in candidates if count % n != 1]
        return (even or uneven or [1])[0]

    return f"tiers-phone-{columns(phone)} tiers-wide-{columns(wide)}"


# Money ---------------------------------------------------------------------

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}
MONEY_DIGITS = 12
MONEY_PLACES = 2
#: The largest sum a money column holds, so no figure read from a file, and
#: no campaign total, overflows the database.
MAX_MONEY = Decimal(10) ** (MONEY_DIGITS - MONEY_PLACES) - Decimal(10) ** -MONEY_PLACES


def format_money(amount, currency):
    """`$12,340` or `$12.50` or `1,000 VES`: whole amounts without cents."""
    amount = Decimal(amount)
    figures = f"{amount:,.0f}" if amount == amount.to_integral() else f"{amount:,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{figures}" if symbol else f"{figures} {currency}"


def percent_of(part, whole):
    """Whole percent of `whole` reached by `part`, rounded down (0 for no goal)."""
    if not whole or whole <= 0:
        return 0
    return int(Decimal(part) * 100 // Decimal(whole))


# CSV imports --------------------------------------------------------------


@dataclass(frozen=True)
class DonationRow:
    """One donation as a processor's export states it."""

    line: int
    received_on: date
    amount: Decimal
    currency: str
    transaction_id: str
    donor_name: str = ""
    listed: bool = False


@dataclass
class ParsedDonations:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)


HEADER_ALIASES = {
    "date": "date",
    "created": "date",
    "received_on": "date",
    "amount": "amount",
    "currency": "currency",
    "transaction_id": "transaction_id",
    "transaction": "transaction_id",
    "id": "transaction_id",
    "donor_name": "donor_name",
    "name": "donor_name",
    "donor": "donor_name",
    "consent": "listed",
    "consent_to_list": "listed",
    "listed": "listed",
}
REQUIRED_COLUMNS = ("date", "amount", "currency", "transaction_id")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


def _column_name(title):
    return HEADER_ALIASES.get(re.sub(r"[\s-]+", "_", title.strip().lower()))


def _parse_date(text):
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        return None


def _parse_amount(text):
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        return None
    if (
        not amount.is_finite()
        or amount <= 0
        or amount.as_tuple().exponent < -MONEY_PLACES
    ):
        return None
    return amount


def parse_donations_csv(data):
    """Read a processor's CSV export (bytes or text) into `DonationRow`s.

    Every problem is reported with its line number, and the caller writes
    nothing unless `errors` is empty: a file is taken whole or not at all.
    """
    result = ParsedDonations()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            result.errors.append("The file is not UTF-8 text.")
            return result
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        result.errors.append(f"line 1: {error}")
        return result
    if not header:
        result.errors.append("The file is empty: expected a header row.")
        return result
    columns = [_column_name(title) for title in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        result.errors.append(
            "line 1: the header lacks the column(s) "
            + ", ".join(name.replace("_", " ") for name in missing)
            + "; expected date, amount, currency, transaction id"
            " and optionally donor name and consent."
        )
        return result
    first_line_of = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                result.errors.append(
                    f"line {line}: {len(cells)} cells where the header has {len(header)}."
                )
                continue
            values = {
                name: cell.strip()
                for name, cell in zip(columns, cells, strict=True)
                if name
            }
            row, problems = _donation_row(line, values)
            if row and row.transaction_id in first_line_of:
                problems.append(
                    f"transaction id {row.transaction_id!r} appears already on "
                    f"line {first_line_of[row.transaction_id]}"
                )
            if problems:
                result.errors.append(f"line {line}: " + "; ".join(problems) + ".")
            else:
                first_line_of[row.transaction_id] = line
                result.rows.append(row)
    except csv.Error as error:
        result.errors.append(f"line {reader.line_num}: {error}")
    return result


def _donation_row(line, values):
    problems = []
    received_on = _parse_date(values["date"])
    if received_on is None:
        problems.append(f"date {values['date']!r} is not a date like 2025-03-01")
    currency = values["currency"].upper()
    amount = _parse_amount(values["amount"])
    if amount is None:
        problems.append(
            f"amount {values['amount']!r} is not a positive amount like 25.00"
        )
    elif amount > MAX_MONEY:
        problems.append(
            f"amount {values['amount']!r} is more than "
            f"{format_money(MAX_MONEY, currency)}, the most one donation can be"
        )
    if not re.fullmatch(r"[A-Z]{3}", currency):
        problems.append(
            f"currency {values['currency']!r} is not a three-letter code like USD"
        )
    transaction_id = values["transaction_id"]
    if not transaction_id or len(transaction_id) > 255:
        problems.append("the transaction id is missing or longer than 255 characters")
    donor_name = values.get("donor_name", "")
    if len(donor_name) > 200:
        problems.append("the donor name is longer than 200 characters")
    consent = values.get("listed", "").lower()
    if consent not in YES | NO:
        problems.append(f"consent {values.get('listed')!r} is not yes or no")
    if problems:
        return None, problems
    row = DonationRow(
        line=line,
        received_on=received_on,
        amount=amount,
        currency=currency,
        transaction_id=transaction_id,
        donor_name=donor_name,
        listed=consent in YES and bool(donor_name),
    )
    return row, problems
