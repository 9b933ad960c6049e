from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def two_factor_required_for_staff(app_configs, **kwargs):
    """`check --deploy` fails if the two-factor rule for staff is switched off."""
    if getattr(settings, "RP_REQUIRE_MFA_FOR_STAFF", True):
        return []
    return [
        Error(
            "RP_REQUIRE_MFA_FOR_STAFF is off: facilitators, managers and organisation admins "
            "could work without two-factor authentication.",
            hint="Only the test settings may switch it off.",
            id="accounts.E001",
        )
    ]
