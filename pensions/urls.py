from django.urls import path

from pensions import views

app_name = "pensions"
urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
]
