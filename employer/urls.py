from django.urls import path

from employer import views

app_name = "employer"
urlpatterns = [
    path("", views.home, name="home"),
    path("injuries/new/", views.injury_new, name="injury_new"),
    path("injuries/<int:pk>/", views.injury_detail, name="injury_detail"),
    path("injuries/<int:pk>/documents/", views.injury_upload, name="injury_upload"),
    path("injuries/<int:pk>/submit/", views.injury_submit, name="injury_submit"),
    path("payroll/", views.payroll, name="payroll"),
    path("average-wages/", views.average_wages, name="average_wages"),
]
