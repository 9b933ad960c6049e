from django.urls import path

from onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("my/first-steps/hide/", views.hide, name="hide"),
    path("my/first-steps/show/", views.show, name="show"),
]
