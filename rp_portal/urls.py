from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from rp_portal import views

# The operator's admin signs in through allauth, so it gets the same rate limits and checks;
# a signed-in person who is not operator staff gets a 403, never Django's own password form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "rp_portal support"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("groups.urls")),
    path("", include("sessions.urls")),
    path("", include("rp_portal.documents.urls")),
    path("", include("journals.urls")),
    path("", include("evaluation.urls")),
    path("", include("privacy.urls")),
    path("", include("guide.urls")),
    path("", include("onboarding.urls")),
    path("accounts/", include("rp_portal.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
