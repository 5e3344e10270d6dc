from django.urls import path

from verification import views

app_name = "verification"
urlpatterns = [
    path("", views.verify_form, name="verify_form"),
    path("keys.txt", views.public_keys, name="public_keys"),
    path("<str:code>/", views.verify, name="verify"),
]
