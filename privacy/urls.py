from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("privacy/my-data/", views.my_data, name="my_data"),
    path("privacy/delete-account/", views.erase, name="erase"),
]
