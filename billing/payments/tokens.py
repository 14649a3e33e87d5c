"""The payment's return link: where the provider sends the member back after paying.

The link carries a token signed with the platform's key under a salt naming the association's
schema and the payment: made for association A, it is refused on B's host (another salt), even
for a payment of the same id there, and it asks nothing of any provider there
(``tests/test_cross_association_tokens.py``). It carries no personal data (the payment's id
only, which the path names anyway).
"""

from __future__ import annotations

from django.core import signing
from django.db import connection

#: The provider may keep the member a while (3-D Secure, a bank's app): two days.
MAX_AGE = 2 * 24 * 3600


def _salt(payment_id) -> str:
    return f"billing.payments.return:{connection.schema_name}:{payment_id}"


def make_token(payment_id) -> str:
    return signing.dumps("return", salt=_salt(payment_id), compress=False)


def check_token(token: str, payment_id) -> bool:
    try:
        return signing.loads(token, salt=_salt(payment_id), max_age=MAX_AGE) == "return"
    except signing.BadSignature:
        return False
