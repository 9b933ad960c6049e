from django.urls import path

from rp_portal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    # Included before allauth's URLs, so this path serves allauth's "account_change_password".
    path("password/change/", views.password_change, name="password_change"),
]
