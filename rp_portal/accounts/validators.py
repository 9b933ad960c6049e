from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_plain_name(value: str) -> None:
    """Names are shown to other people: keep markup and control characters out of them."""
    if any(ch in value for ch in "<>") or any(ord(ch) < 32 for ch in value):
        raise ValidationError(
            _("Please use letters, spaces and ordinary punctuation only (no < or > signs)."),
            code="markup",
        )
