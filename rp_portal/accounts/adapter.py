from allauth.account.adapter import DefaultAccountAdapter

from rp_portal.accounts import services


class AccountAdapter(DefaultAccountAdapter):
    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.welcome_email_enqueue(user=email_address.user)
        return confirmed
